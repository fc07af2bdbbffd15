using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>
/// Keeps formatted log lines of an Api under test, for asserting what is (and is not) logged:
/// every category with its scopes, or only one category's messages. <paramref name="format"/> turns
/// (category, line) into what is kept.
/// </summary>
internal sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines, string? category = null, Func<string, string, string>? format = null)
    : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => category is null || categoryName == category
        ? new Logger(categoryName, lines, format ?? ((_, message) => message), keepScopes: category is null)
        : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines, Func<string, string, string> format, bool keepScopes) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            if (keepScopes)
            {
                lines.Enqueue(format(category, $"scope: {state}"));
            }

            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(format(category, exception is null ? formatter(state, exception) : $"{formatter(state, exception)} {exception}"));
    }
}
