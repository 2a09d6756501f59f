namespace Mlops.Api.Requests;

/// <summary>The true outcome (0 or 1) of one served row: the request id Serving returned and the row's index in it.</summary>
public sealed record LabelRequest(Guid? RequestId, int? RowIndex, double? Label);
