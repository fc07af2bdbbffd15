using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace ClusterPlatform.Tests.Api;

/// <summary>HTTP/1.1 over a raw TCP socket, for requests no HTTP client would send (malformed, over-long, unfinished).</summary>
internal static class RawHttp
{
    /// <summary>
    /// Writes <paramref name="request"/> as it is and reads until the Api closes the connection, as it
    /// does after a refusal; the responses received, in order.
    /// </summary>
    public static async Task<List<(int Status, Dictionary<string, string> Headers, string Body)>> ExchangeAsync(Uri address, string request)
    {
        using var tcp = new TcpClient();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        await tcp.ConnectAsync(address.Host, address.Port, deadline.Token);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request), deadline.Token);
        using var received = new MemoryStream();
        await stream.CopyToAsync(received, deadline.Token);
        var all = received.ToArray();
        return Responses(Encoding.Latin1.GetString(all), all);
    }

    /// <summary>The responses in what was received, each split at its Content-Length or its last chunk.</summary>
    private static List<(int Status, Dictionary<string, string> Headers, string Body)> Responses(string text, byte[] bytes)
    {
        var responses = new List<(int, Dictionary<string, string>, string)>();
        var at = 0;
        while (at < text.Length)
        {
            var end = text.IndexOf("\r\n\r\n", at, StringComparison.Ordinal);
            Assert.True(end > at, $"an incomplete response: {text[at..]}");
            var lines = text[at..end].Split("\r\n");
            var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].ToLowerInvariant(), p => p[1].Trim());
            var status = int.Parse(lines[0].AsSpan(9, 3), CultureInfo.InvariantCulture);
            at = end + 4;
            var body = new StringBuilder();
            if (headers.GetValueOrDefault("transfer-encoding") == "chunked")
            {
                for (var size = -1; size != 0; at += 2)
                {
                    var line = text.IndexOf("\r\n", at, StringComparison.Ordinal);
                    size = int.Parse(text.AsSpan(at, line - at), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    body.Append(Encoding.UTF8.GetString(bytes, line + 2, size));
                    at = line + 2 + size;
                }
            }
            else
            {
                var length = int.Parse(headers.GetValueOrDefault("content-length", "0"), CultureInfo.InvariantCulture);
                body.Append(Encoding.UTF8.GetString(bytes, at, length));
                at += length;
            }

            responses.Add((status, headers, body.ToString()));
        }

        return responses;
    }
}
