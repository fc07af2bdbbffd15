extern alias controllers;

using controllers::ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Tests.Providers;

public sealed class MachineTypesTests
{
    [Theory]
    [InlineData("n2-standard-4", 4)]
    [InlineData("e2-highmem-16", 16)]
    [InlineData("n2-custom-8", 8)]
    [InlineData("n2-custom-8-32768", 8)]
    [InlineData("c3-standard-4-lssd", 4)]
    [InlineData("e2-medium", 2)]
    [InlineData("f1-micro", 1)]
    public void Machine_types_map_to_their_vcpus(string machineType, int vcpus) =>
        Assert.Equal(vcpus, MachineTypes.Vcpus(machineType));

    [Theory]
    [InlineData("a2-highgpu-1g")]
    [InlineData("n2-standard")]
    [InlineData("weird")]
    [InlineData("n2-standard-0")]
    public void Unknown_machine_types_have_no_vcpus(string machineType) =>
        Assert.Null(MachineTypes.Vcpus(machineType));
}
