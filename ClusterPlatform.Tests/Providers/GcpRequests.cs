extern alias controllers;

using controllers::ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Tests.Providers;

/// <summary>Environment validation requests for a project as <c>hypershift create infra|iam gcp</c> would have prepared it.</summary>
internal static class GcpRequests
{
    public static GcpEnvironmentRequest For(string projectId, string region, int requiredVcpus, string infraId = "alpha-1a2b3")
    {
        var names = new GcpInfrastructureNames(infraId, projectId);
        return new GcpEnvironmentRequest(projectId, region, requiredVcpus, "acme.example.com", names.Network, names.Subnet, names,
            new ServiceAccountSigningKey(names.IssuerUrl, "test-key-id", """{"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"test-key-id","n":"AQAB","e":"AQAB"}]}"""));
    }
}
