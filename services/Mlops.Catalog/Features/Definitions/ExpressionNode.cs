namespace Mlops.Catalog.Features.Definitions;

/// <summary>
/// A parsed feature expression. Nodes carry only what the grammar accepted (a column known to exist, a function on the
/// allowed list, a literal's value), and <see cref="ExpressionRenderer"/> writes SQL from them: the user's text never reaches
/// PostgreSQL. The node kinds are nested so that the closed set reads in one place.
/// </summary>
public abstract record ExpressionNode
{
    public sealed record Column(string Name) : ExpressionNode;

    /// <summary>Digits as the tokenizer matched them: <c>[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>, nothing else.</summary>
    public sealed record Number(string Digits) : ExpressionNode;

    public sealed record Text(string Value) : ExpressionNode;

    public sealed record Boolean(bool Value) : ExpressionNode;

    public sealed record Null : ExpressionNode;

    public sealed record Unary(string Operator, ExpressionNode Operand) : ExpressionNode;

    public sealed record Binary(string Operator, ExpressionNode Left, ExpressionNode Right) : ExpressionNode;

    public sealed record IsNull(ExpressionNode Operand, bool Negated) : ExpressionNode;

    public sealed record In(ExpressionNode Operand, IReadOnlyList<ExpressionNode> Values, bool Negated) : ExpressionNode;

    public sealed record Case(IReadOnlyList<(ExpressionNode When, ExpressionNode Then)> Branches, ExpressionNode? Else) : ExpressionNode;

    public sealed record Cast(ExpressionNode Operand, string Type) : ExpressionNode;

    public sealed record Function(string Name, IReadOnlyList<ExpressionNode> Arguments) : ExpressionNode;

    public sealed record Extract(string Field, ExpressionNode Operand) : ExpressionNode;
}
