using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Mlops.Api.Http;

/// <summary>Adds to the OpenAPI document what endpoint metadata cannot say: the bearer token scheme and the Idempotency-Key header on POSTs.</summary>
public sealed class ApiDocumentTransformer : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string SchemeName = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Mlops control plane";
        document.Info.Description = "Identities, access per catalog, an audited registry and pipeline API. Send 'Authorization: Bearer <token>'.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "An API token (mlops_…) issued by an admin, or from the first-admin bootstrap.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] });
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (string.Equals(context.Description.HttpMethod, "POST", StringComparison.OrdinalIgnoreCase))
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IdempotencyMiddleware.Header, In = ParameterLocation.Header, Required = false,
                Description = "Same key and same request: the stored response is replayed. Same key, another request: 422.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200 },
            });
        }
        return Task.CompletedTask;
    }
}
