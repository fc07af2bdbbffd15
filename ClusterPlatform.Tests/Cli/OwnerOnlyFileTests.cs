using System.Text;
using ClusterPlatform.Cli;

namespace ClusterPlatform.Tests.Cli;

/// <summary>
/// Where cpctl keeps a token or a private key (<see cref="OwnerOnlyFile"/>): the owner's alone, even
/// over a file or a symlink that was there before.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are POSIX; the suite runs on Linux
public sealed class OwnerOnlyFileTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("owner-only-");

    [Fact]
    public void An_existing_world_readable_file_is_replaced_by_one_the_owner_alone_can_read()
    {
        var path = Path.Combine(folder.FullName, "kubeconfig");
        File.WriteAllText(path, "an older and longer kubeconfig");
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        OwnerOnlyFile.Write(path, Secret("client-key-data: secret"));

        Assert.Equal("client-key-data: secret", File.ReadAllText(path));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal([path], Directory.GetFiles(folder.FullName));
    }

    [Fact]
    public void A_symlink_at_the_path_is_replaced_and_the_file_it_pointed_to_is_left_alone()
    {
        var elsewhere = Path.Combine(folder.FullName, "someone-elses-file");
        File.WriteAllText(elsewhere, "theirs");
        File.SetUnixFileMode(elsewhere, OwnerOnly | UnixFileMode.OtherRead);
        var path = Path.Combine(folder.FullName, "kubeconfig");
        File.CreateSymbolicLink(path, elsewhere);

        OwnerOnlyFile.Write(path, Secret("client-key-data: secret"));

        Assert.Equal("theirs", File.ReadAllText(elsewhere));
        Assert.Null(new FileInfo(path).LinkTarget);
        Assert.Equal(("client-key-data: secret", OwnerOnly), (File.ReadAllText(path), File.GetUnixFileMode(path)));
    }

    [Fact]
    public void A_write_that_fails_leaves_the_file_before_it_whole_and_no_temporary_file_behind()
    {
        var path = Path.Combine(folder.FullName, "config.json");
        File.WriteAllText(path, "the saved logins");

        Assert.Throws<IOException>(() => OwnerOnlyFile.Write(path, stream =>
        {
            stream.Write("half a"u8);
            throw new IOException("disk full");
        }));

        Assert.Equal("the saved logins", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(folder.FullName));
    }

    public void Dispose() => folder.Delete(recursive: true);

    private static Action<Stream> Secret(string text) => stream => stream.Write(Encoding.UTF8.GetBytes(text));
}
