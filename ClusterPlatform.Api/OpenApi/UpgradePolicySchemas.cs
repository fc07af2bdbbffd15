using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using static ClusterPlatform.Api.OpenApi.OpenApiSchemas;

namespace ClusterPlatform.Api.OpenApi;

/// <summary>
/// The rules of <c>spec.upgradePolicy</c> (Validation/UpgradePolicyRequests.cs) as JSON Schema, from
/// the validation's own constants. What a schema cannot say (the time zone must be in the time zone
/// database, a window is required once automatic upgrades are on) is in the descriptions.
/// </summary>
internal static class UpgradePolicySchemas
{
    public static OpenApiOptions AddUpgradePolicyRules(this OpenApiOptions options) =>
        options.AddDocumentTransformer((document, _, _) =>
        {
            var policy = document.Component(nameof(UpgradePolicy));
            policy.AdditionalPropertiesAllowed = false;
            policy.Description = "Automatic patch upgrades, opt in. Left out (or `null`) it is `{\"automaticPatchUpgrades\": false, \"maintenanceWindow\": null}`; "
                + "responses always carry it. Inside the window the platform moves a Ready cluster that runs its spec's version to the newest enabled patch "
                + "of its minor the update graph has a direct edge to, one step at a time (audited as `platform`, event `cluster.updated`).";
            policy.Property("automaticPatchUpgrades").Description = "Defaults to false. When true, `maintenanceWindow` is required.";

            var window = document.Component(nameof(MaintenanceWindow));
            window.AdditionalPropertiesAllowed = false;
            window.Description = "A weekly window: it opens on each of `days` at `startTime` in `timeZone` and stays open `durationHours` "
                + "elapsed hours, past midnight if need be.";
            window.SetProperty("days", new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = Enum(UpgradePolicyRequests.DayNames),
                MinItems = 1,
                MaxItems = UpgradePolicyRequests.DayNames.Count,
                UniqueItems = true,
                Description = "The days the window opens on, each at most once.",
            });
            window.SetProperty("startTime", String(5, Ecma(UpgradePolicyRequests.StartTimePattern), 5, "The local time the window opens, `HH:MM` (24-hour)."));
            var duration = window.Property("durationHours");
            duration.Range(UpgradePolicyRequests.MinDurationHours, UpgradePolicyRequests.MaxDurationHours);
            window.SetProperty("timeZone", String(UpgradePolicyRequests.MaxTimeZoneLength, Ecma(UpgradePolicyRequests.TimeZonePattern), 1,
                "An IANA time zone id the time zone database has, such as `Europe/Berlin` or `UTC` (Windows ids are refused)."));
            return Task.CompletedTask;
        });
}
