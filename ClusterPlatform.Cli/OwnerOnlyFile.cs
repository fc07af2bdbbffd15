namespace ClusterPlatform.Cli;

/// <summary>
/// Writes a file that holds a secret (a token, a private key) readable by its owner only.
/// </summary>
internal static class OwnerOnlyFile
{
    /// <summary>
    /// Writes a new file beside <paramref name="path"/>, created 0600 (never widened, then narrowed),
    /// and renames it over <paramref name="path"/>. An existing file keeps neither its mode nor its
    /// contents for a moment, and a symlink at <paramref name="path"/> is replaced, not followed.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                write(stream);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
