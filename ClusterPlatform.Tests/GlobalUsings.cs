// The namespaces nearly every test file imports: the shared test infrastructure (servers, calls,
// tokens, waits), the contract types the tests send and read, and the HTTP and JSON types the
// assertions use. Imported once here, so each test file lists only what is particular to it.
global using System.Net;
global using System.Text.Json.Nodes;
global using ClusterPlatform.Contracts;
global using ClusterPlatform.Tests.Infrastructure;
global using static ClusterPlatform.Tests.Infrastructure.TestCancellation;
