// The namespaces most of the Api's files import: its own layers (the store, errors, validation,
// identity, settings), the wire contracts, JSON, Npgsql and options. Imported once here, so each
// file lists only what is particular to it.
global using System.Text.Json;
global using ClusterPlatform.Api.Configuration;
global using ClusterPlatform.Api.Data;
global using ClusterPlatform.Api.Errors;
global using ClusterPlatform.Api.Identity;
global using ClusterPlatform.Api.Validation;
global using ClusterPlatform.Contracts;
global using Microsoft.Extensions.Options;
global using Npgsql;
