using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.PubSub;

public static class PubSubExtensions
{
    /// <summary>
    /// The name of the ActivitySource that traces publishes and handled messages. It matches the
    /// <c>ClusterPlatform.*</c> sources that ServiceDefaults exports.
    /// </summary>
    public const string ActivitySourceName = "ClusterPlatform.PubSub";

    /// <summary>
    /// Registers <see cref="PubSubConnection"/>, <see cref="PubSubPublisher"/>, <see cref="PubSubSubscriber"/>
    /// and <see cref="PubSubAdmin"/> as singletons, configured from the <c>PubSub</c> section, with
    /// <c>PUBSUB_PROJECT_ID</c> and <c>PUBSUB_EMULATOR_HOST</c> as fallbacks. A missing project id
    /// fails the host at startup.
    /// </summary>
    public static IHostApplicationBuilder AddPubSub(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        builder.Services.AddOptions<PubSubOptions>()
            .Bind(configuration.GetSection(PubSubOptions.SectionName))
            .PostConfigure(options =>
            {
                // Configuration sees more than the environment (command line, appsettings, user secrets).
                if (string.IsNullOrWhiteSpace(options.ProjectId))
                {
                    options.ProjectId = configuration[PubSubOptions.ProjectIdVariable] ?? "";
                }

                if (string.IsNullOrWhiteSpace(options.EmulatorHost))
                {
                    options.EmulatorHost = configuration[PubSubOptions.EmulatorHostVariable];
                }
            })
            .Validate(options => !string.IsNullOrWhiteSpace(options.ProjectId),
                $"Pub/Sub needs a project: set {PubSubOptions.SectionName}:ProjectId or {PubSubOptions.ProjectIdVariable}.")
            .ValidateOnStart();

        builder.Services.TryAddSingleton(services => new PubSubConnection(services.GetRequiredService<IOptions<PubSubOptions>>().Value));
        builder.Services.TryAddSingleton<PubSubPublisher>();
        builder.Services.TryAddSingleton<PubSubSubscriber>();
        builder.Services.TryAddSingleton<PubSubAdmin>();
        return builder;
    }
}
