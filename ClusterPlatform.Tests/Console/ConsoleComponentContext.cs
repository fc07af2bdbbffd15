using Bunit;
using Microsoft.FluentUI.AspNetCore.Components;

namespace ClusterPlatform.Tests.Console;

/// <summary>
/// A bUnit context with what every console component renders with: Fluent UI's services, and JS interop
/// that answers every call (Fluent's web components call into JS that bUnit does not run).
/// </summary>
public abstract class ConsoleComponentContext : BunitContext
{
    protected ConsoleComponentContext()
    {
        Services.AddFluentUIComponents();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }
}

/// <summary>A <see cref="ConsoleComponentContext"/> whose components reach a <see cref="FakeApi"/> through a real ConsoleApi.</summary>
public abstract class ConsoleApiComponentContext : ConsoleComponentContext
{
    protected ConsoleApiComponentContext() => Api = FakeApi.AddTo(this);

    protected FakeApi Api { get; }
}
