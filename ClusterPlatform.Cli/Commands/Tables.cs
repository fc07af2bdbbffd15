using System.Globalization;
using ClusterPlatform.Cli.Output;
using ClusterPlatform.Client;
using ClusterPlatform.Client.Models;

namespace ClusterPlatform.Cli.Commands;

/// <summary>How each resource reads as a table: one home for the columns, so list and get agree.</summary>
public static class Tables
{
    public static TextTable Clusters() => new("NAME", "ID", "PHASE", "VERSION", "REGION", "CREATED");

    public static string?[] Row(Cluster c) =>
        [c.Name, c.Id?.ToString(), WireEnum.Name(c.Status?.Phase), c.Spec?.Release?.Version, WireEnum.Name(c.Spec?.Gcp?.Region), Time(c.CreatedAt)];

    public static TextTable Cluster(Cluster c) => Clusters().Add(Row(c));

    public static TextTable NodePools() => new("NAME", "ID", "CLUSTER", "PHASE", "REPLICAS", "AUTOSCALING", "MACHINE TYPE", "VERSION");

    public static string?[] Row(NodePool p) =>
    [
        p.Name, p.Id?.ToString(), p.ClusterId?.ToString(), WireEnum.Name(p.Status?.Phase), p.Spec?.Replicas?.ToString(CultureInfo.InvariantCulture),
        p.Spec?.Autoscaling is { } a ? $"{a.Min}-{a.Max}" : null, p.Spec?.MachineType, p.Spec?.Version,
    ];

    public static TextTable NodePool(NodePool p) => NodePools().Add(Row(p));

    public static TextTable Versions() => new("VERSION", "CHANNEL GROUP", "ENABLED", "DEFAULT", "END OF LIFE");

    public static string?[] Row(OpenShiftVersion v) =>
        [v.Version, WireEnum.Name(v.ChannelGroup), Bool(v.Enabled), Bool(v.Default), Time(v.EndOfLife)];

    public static TextTable Upgrades() => new("VERSION", "TYPE", "RELEASE IMAGE");

    public static string?[] Row(ClusterUpgrade u) => [u.Version, WireEnum.Name(u.Type), u.ReleaseImage];

    public static TextTable Audit() => new("AT", "ACTION", "ACTOR", "GENERATION", "NODE POOL", "REASON");

    public static string?[] Row(AuditEntry e) =>
        [Time(e.At), e.Action, e.Actor, e.Generation?.ToString(CultureInfo.InvariantCulture), e.NodePoolId?.ToString(), e.Reason];

    public static TextTable Contexts() => new("CURRENT", "NAME", "SERVER", "LOGIN");

    public static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";

    private static string Bool(bool? value) => value switch { true => "true", false => "false", null => "" };
}
