using System.Text;

namespace Mlops.Catalog.Features.Definitions;

/// <summary>
/// Canonical SQL from a parsed expression: columns quoted and qualified by the source's alias, literals written again from
/// their values, every operation parenthesised so precedence never depends on the reader.
/// </summary>
public static class ExpressionRenderer
{
    public static string Render(ExpressionNode node, string sourceAlias)
    {
        var sql = new StringBuilder();
        Write(sql, node, sourceAlias);
        return sql.ToString();
    }

    private static void Write(StringBuilder sql, ExpressionNode node, string alias)
    {
        switch (node)
        {
            case ExpressionNode.Column column:
                sql.Append(alias).Append('.').Append(Hosting.Data.SqlIdentifier.Quote(column.Name, "column name"));
                break;
            case ExpressionNode.Number number:
                sql.Append(number.Digits);
                break;
            case ExpressionNode.Text text:
                sql.Append('\'').Append(text.Value.Replace("'", "''", StringComparison.Ordinal)).Append('\'');
                break;
            case ExpressionNode.Boolean boolean:
                sql.Append(boolean.Value ? "TRUE" : "FALSE");
                break;
            case ExpressionNode.Null:
                sql.Append("NULL");
                break;
            case ExpressionNode.Unary unary:
                sql.Append('(').Append(unary.Operator).Append(unary.Operator == "NOT" ? " " : "");
                Write(sql, unary.Operand, alias);
                sql.Append(')');
                break;
            case ExpressionNode.Binary binary:
                sql.Append('(');
                Write(sql, binary.Left, alias);
                sql.Append(' ').Append(binary.Operator).Append(' ');
                Write(sql, binary.Right, alias);
                sql.Append(')');
                break;
            case ExpressionNode.IsNull isNull:
                sql.Append('(');
                Write(sql, isNull.Operand, alias);
                sql.Append(isNull.Negated ? " IS NOT NULL)" : " IS NULL)");
                break;
            case ExpressionNode.In @in:
                sql.Append('(');
                Write(sql, @in.Operand, alias);
                sql.Append(@in.Negated ? " NOT IN (" : " IN (");
                List(sql, @in.Values, alias);
                sql.Append("))");
                break;
            case ExpressionNode.Case @case:
                sql.Append("CASE");
                foreach (var (when, then) in @case.Branches)
                {
                    sql.Append(" WHEN ");
                    Write(sql, when, alias);
                    sql.Append(" THEN ");
                    Write(sql, then, alias);
                }
                if (@case.Else is { } otherwise)
                {
                    sql.Append(" ELSE ");
                    Write(sql, otherwise, alias);
                }
                sql.Append(" END");
                break;
            case ExpressionNode.Cast cast:
                sql.Append("CAST(");
                Write(sql, cast.Operand, alias);
                sql.Append(" AS ").Append(cast.Type).Append(')');
                break;
            case ExpressionNode.Function function:
                sql.Append(function.Name).Append('(');
                List(sql, function.Arguments, alias);
                sql.Append(')');
                break;
            case ExpressionNode.Extract extract:
                sql.Append("date_part('").Append(extract.Field).Append("', ");
                Write(sql, extract.Operand, alias);
                sql.Append(')');
                break;
            default:
                throw new ArgumentException($"Unknown expression node {node.GetType().Name}.", nameof(node));
        }
    }

    private static void List(StringBuilder sql, IReadOnlyList<ExpressionNode> nodes, string alias)
    {
        for (var i = 0; i < nodes.Count; i++)
        {
            if (i > 0)
                sql.Append(", ");
            Write(sql, nodes[i], alias);
        }
    }
}
