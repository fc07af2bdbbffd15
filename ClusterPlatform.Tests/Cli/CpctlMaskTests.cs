namespace ClusterPlatform.Tests.Cli;

/// <summary>The pinned-output tests' mask (<see cref="CpctlRunner.Mask"/>) must not depend on what changes between runs.</summary>
public sealed class CpctlMaskTests
{
    [Fact]
    public void A_time_masks_to_one_length_whatever_trailing_zeros_its_serializer_dropped()
    {
        var six = CpctlRunner.Mask("at 2026-12-06T08:40:01.123456+00:00.");
        Assert.Equal(six, CpctlRunner.Mask("at 2026-12-06T08:40:01.12345+00:00."));
        Assert.Equal(six, CpctlRunner.Mask("at 2026-12-06T08:40:01.1+00:00."));
        Assert.Equal("at <time..........................>.", six);
        // Whole seconds, as the tables show them, keep their own length: the columns' alignment is pinned with it.
        Assert.Equal("<time..............>", CpctlRunner.Mask("2026-12-06T08:40:01Z"));
    }
}
