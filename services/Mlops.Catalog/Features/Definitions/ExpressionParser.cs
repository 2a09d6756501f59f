using System.Globalization;
using System.Text;

namespace Mlops.Catalog.Features.Definitions;

/// <summary>
/// A tokenizer and recursive-descent parser for feature expressions. Anything outside the grammar in docs/features.md is
/// refused with the position (1-based character) and the token at fault: statements, comments, quoted identifiers, dollar
/// quoting, qualified names, subqueries, unknown columns and functions not on <see cref="ExpressionLanguage.Functions"/>.
/// </summary>
public sealed class ExpressionParser
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "and", "or", "not", "is", "null", "true", "false", "case", "when", "then", "else", "end", "cast", "as", "in", "extract", "from",
        "select", "with", "union", "where", "between", "like", "ilike", "similar", "any", "all", "some", "exists", "array", "row",
    };

    private readonly IReadOnlySet<string> _columns;
    private readonly string _what;
    private readonly string _field;
    private readonly List<Token> _tokens;
    private int _next;
    private int _depth;

    private ExpressionParser(string text, IReadOnlySet<string> columns, string what, string field)
    {
        _columns = columns;
        _what = what;
        _field = field;
        _tokens = Tokenize(text, what, field);
    }

    /// <summary>
    /// The expression's tree; <paramref name="what"/> names it in refusals (e.g. "feature avg_charge_per_month") and
    /// <paramref name="field"/> is where it stands in the document (e.g. "features[5].expression").
    /// </summary>
    public static ExpressionNode Parse(string? text, IReadOnlySet<string> columns, string what, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new FeatureDefinitionException(field, $"The expression of {what} is empty.");
        if (text.Length > ExpressionLanguage.MaxLength)
            throw new FeatureDefinitionException(field, $"The expression of {what} has {text.Length} characters; at most {ExpressionLanguage.MaxLength} are allowed.");
        var parser = new ExpressionParser(text, columns, what, field);
        var node = parser.ParseOr();
        var rest = parser.Peek;
        if (rest.Kind != TokenKind.End)
            throw parser.Refuse(rest, $"unexpected {rest.Describe()} after a complete expression");
        return node;
    }

    private Token Peek => _tokens[_next];

    private Token Take() => _tokens[_next++];

    private bool TakeKeyword(string keyword)
    {
        if (Peek.Kind == TokenKind.Word && Peek.Text == keyword)
        {
            _next++;
            return true;
        }
        return false;
    }

    private bool TakeSymbol(string symbol)
    {
        if (Peek.Kind == TokenKind.Symbol && Peek.Text == symbol)
        {
            _next++;
            return true;
        }
        return false;
    }

    private void ExpectKeyword(string keyword)
    {
        if (!TakeKeyword(keyword))
            throw Refuse(Peek, $"expected {keyword.ToUpperInvariant()} but found {Peek.Describe()}");
    }

    private void ExpectSymbol(string symbol)
    {
        if (!TakeSymbol(symbol))
            throw Refuse(Peek, $"expected '{symbol}' but found {Peek.Describe()}");
    }

    private ExpressionNode Nested(Func<ExpressionNode> parse)
    {
        if (++_depth > ExpressionLanguage.MaxDepth)
            throw Refuse(Peek, $"the expression nests deeper than {ExpressionLanguage.MaxDepth} levels");
        try
        {
            return parse();
        }
        finally
        {
            _depth--;
        }
    }

    private ExpressionNode ParseOr() => Nested(() =>
    {
        var left = ParseAnd();
        while (TakeKeyword("or"))
            left = new ExpressionNode.Binary("OR", left, ParseAnd());
        return left;
    });

    private ExpressionNode ParseAnd()
    {
        var left = ParseNot();
        while (TakeKeyword("and"))
            left = new ExpressionNode.Binary("AND", left, ParseNot());
        return left;
    }

    private ExpressionNode ParseNot() =>
        TakeKeyword("not") ? Nested(() => new ExpressionNode.Unary("NOT", ParseNot())) : ParseComparison();

    private ExpressionNode ParseComparison()
    {
        var left = ParseAdditive();
        if (Peek.Kind == TokenKind.Symbol && Peek.Text is "=" or "<>" or "!=" or "<" or "<=" or ">" or ">=")
        {
            var op = Take().Text == "!=" ? "<>" : _tokens[_next - 1].Text;
            return new ExpressionNode.Binary(op, left, ParseAdditive());
        }
        if (TakeKeyword("is"))
        {
            var negated = TakeKeyword("not");
            ExpectKeyword("null");
            return new ExpressionNode.IsNull(left, negated);
        }
        var notIn = Peek.Kind == TokenKind.Word && Peek.Text == "not" && _tokens[_next + 1] is { Kind: TokenKind.Word, Text: "in" };
        if (notIn)
            _next++;
        if (TakeKeyword("in"))
        {
            ExpectSymbol("(");
            if (Peek is { Kind: TokenKind.Word, Text: "select" or "with" })
                throw Refuse(Peek, "subqueries are not allowed");
            var values = new List<ExpressionNode> { ParseLiteral() };
            while (TakeSymbol(","))
                values.Add(ParseLiteral());
            ExpectSymbol(")");
            return new ExpressionNode.In(left, values, notIn);
        }
        if (Peek.Kind == TokenKind.Word && Peek.Text is "between" or "like" or "ilike" or "similar")
            throw Refuse(Peek, $"{Peek.Text.ToUpperInvariant()} is not part of the expression language; use comparisons");
        return left;
    }

    private ExpressionNode ParseLiteral()
    {
        var token = Peek;
        var negative = TakeSymbol("-");
        var literal = Peek.Kind switch
        {
            TokenKind.Number => new ExpressionNode.Number(Take().Text),
            TokenKind.String when !negative => new ExpressionNode.Text(Take().Text),
            TokenKind.Word when !negative && Peek.Text is "true" or "false" => new ExpressionNode.Boolean(Take().Text == "true"),
            _ => (ExpressionNode?)null,
        };
        return literal is null
            ? throw Refuse(token, $"IN takes a list of literals; found {token.Describe()}")
            : negative ? new ExpressionNode.Unary("-", literal) : literal;
    }

    private ExpressionNode ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Peek.Kind == TokenKind.Symbol && Peek.Text is "+" or "-" or "||")
            left = new ExpressionNode.Binary(Take().Text, left, ParseMultiplicative());
        return left;
    }

    private ExpressionNode ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Peek.Kind == TokenKind.Symbol && Peek.Text is "*" or "/" or "%")
            left = new ExpressionNode.Binary(Take().Text, left, ParseUnary());
        return left;
    }

    private ExpressionNode ParseUnary()
    {
        if (Peek.Kind == TokenKind.Symbol && Peek.Text is "-" or "+")
        {
            var op = Take().Text;
            return Nested(() => new ExpressionNode.Unary(op, ParseUnary()));
        }
        return ParsePrimary();
    }

    private ExpressionNode ParsePrimary()
    {
        var token = Take();
        switch (token.Kind)
        {
            case TokenKind.Number:
                return new ExpressionNode.Number(token.Text);
            case TokenKind.String:
                return new ExpressionNode.Text(token.Text);
            case TokenKind.Symbol when token.Text == "(":
                if (Peek is { Kind: TokenKind.Word, Text: "select" or "with" })
                    throw Refuse(Peek, "subqueries are not allowed");
                var inner = ParseOr();
                ExpectSymbol(")");
                return inner;
            case TokenKind.Word:
                return ParseWord(token);
            default:
                throw Refuse(token, $"unexpected {token.Describe()}");
        }
    }

    private ExpressionNode ParseWord(Token token)
    {
        switch (token.Text)
        {
            case "null":
                return new ExpressionNode.Null();
            case "true" or "false":
                return new ExpressionNode.Boolean(token.Text == "true");
            case "case":
                return Nested(ParseCase);
            case "cast":
                return Nested(ParseCast);
            case "extract":
                return Nested(ParseExtract);
            case "select" or "with" or "exists" or "array" or "row" or "any" or "all" or "some" or "union":
                throw Refuse(token, $"{token.Text.ToUpperInvariant()} is not allowed: an expression reads only its own row's columns");
        }
        if (Keywords.Contains(token.Text))
            throw Refuse(token, $"unexpected keyword {token.Text.ToUpperInvariant()}");

        if (TakeSymbol("("))
            return Nested(() => ParseCall(token));
        if (!_columns.Contains(token.Text))
            throw Refuse(token, $"unknown column '{token.Text}'; the source has {string.Join(", ", _columns.Order(StringComparer.Ordinal))}");
        return new ExpressionNode.Column(token.Text);
    }

    private ExpressionNode ParseCall(Token name)
    {
        if (!ExpressionLanguage.Functions.TryGetValue(name.Text, out var arity))
            throw Refuse(name, $"function '{name.Text}' is not allowed; the allowed functions are {string.Join(", ", ExpressionLanguage.Functions.Keys.Order(StringComparer.Ordinal))}");
        var arguments = new List<ExpressionNode>();
        if (!TakeSymbol(")"))
        {
            do
            {
                if (Peek is { Kind: TokenKind.Word, Text: "select" or "with" })
                    throw Refuse(Peek, "subqueries are not allowed");
                arguments.Add(ParseOr());
            }
            while (TakeSymbol(","));
            ExpectSymbol(")");
        }
        if (arguments.Count < arity.Min || arguments.Count > arity.Max)
            throw Refuse(name, $"{name.Text} takes {(arity.Min == arity.Max ? arity.Min.ToString(CultureInfo.InvariantCulture) : $"{arity.Min} to {arity.Max}")} arguments, not {arguments.Count}");
        if (name.Text == "date_part" && (arguments[0] is not ExpressionNode.Text field || !ExpressionLanguage.DateFields.Contains(field.Value)))
            throw Refuse(name, $"date_part's first argument must be one of '{string.Join("', '", ExpressionLanguage.DateFields)}'");
        return new ExpressionNode.Function(name.Text, arguments);
    }

    private ExpressionNode ParseCase()
    {
        var branches = new List<(ExpressionNode, ExpressionNode)>();
        if (Peek is not { Kind: TokenKind.Word, Text: "when" })
            throw Refuse(Peek, "expected WHEN after CASE (the simple form CASE x WHEN ... is not supported; write CASE WHEN x = ... THEN)");
        while (TakeKeyword("when"))
        {
            var when = ParseOr();
            ExpectKeyword("then");
            branches.Add((when, ParseOr()));
        }
        var otherwise = TakeKeyword("else") ? ParseOr() : null;
        ExpectKeyword("end");
        return new ExpressionNode.Case(branches, otherwise);
    }

    private ExpressionNode ParseCast()
    {
        ExpectSymbol("(");
        var operand = ParseOr();
        ExpectKeyword("as");
        var typeToken = Take();
        if (typeToken.Kind != TokenKind.Word)
            throw Refuse(typeToken, $"expected a type after AS but found {typeToken.Describe()}");
        var typeName = typeToken.Text;
        if (typeName == "double" && Peek is { Kind: TokenKind.Word, Text: "precision" })
        {
            _next++;
            typeName = "double precision";
        }
        if (!ExpressionLanguage.CastTypes.TryGetValue(typeName, out var type))
            throw Refuse(typeToken, $"CAST to '{typeName}' is not allowed; the allowed types are {string.Join(", ", ExpressionLanguage.CastTypes.Keys)}");
        ExpectSymbol(")");
        return new ExpressionNode.Cast(operand, type);
    }

    private ExpressionNode ParseExtract()
    {
        ExpectSymbol("(");
        var field = Take();
        if (field.Kind != TokenKind.Word || !ExpressionLanguage.DateFields.Contains(field.Text))
            throw Refuse(field, $"EXTRACT's field must be one of {string.Join(", ", ExpressionLanguage.DateFields)}");
        ExpectKeyword("from");
        var operand = ParseOr();
        ExpectSymbol(")");
        return new ExpressionNode.Extract(field.Text, operand);
    }

    private FeatureDefinitionException Refuse(Token token, string reason) =>
        new(_field, $"The expression of {_what} is refused at position {token.Position}: {reason}.");

    private static List<Token> Tokenize(string text, string what, string field)
    {
        FeatureDefinitionException Refuse(int index, string reason) =>
            new(field, $"The expression of {what} is refused at position {index + 1}: {reason}.");

        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                i++;
                continue;
            }
            var start = i;
            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                    i++;
                if (i < text.Length && text[i] == '\'')
                    throw Refuse(start, $"prefixed string literals ({text[start..i]}'...') are not allowed; write a plain '...' string");
                if (i < text.Length && text[i] == '.')
                    throw Refuse(i, $"qualified names ('{text[start..i]}.') are not allowed: an expression names its source's columns only");
                tokens.Add(new Token(TokenKind.Word, text[start..i].ToLowerInvariant(), start + 1));
                continue;
            }
            if (char.IsAsciiDigit(c) || c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))
            {
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                    i++;
                if (i < text.Length && text[i] == '.')
                {
                    i++;
                    while (i < text.Length && char.IsAsciiDigit(text[i]))
                        i++;
                }
                if (i < text.Length && text[i] is 'e' or 'E')
                {
                    var exponent = i + 1;
                    if (exponent < text.Length && text[exponent] is '+' or '-')
                        exponent++;
                    if (exponent < text.Length && char.IsAsciiDigit(text[exponent]))
                    {
                        i = exponent;
                        while (i < text.Length && char.IsAsciiDigit(text[i]))
                            i++;
                    }
                }
                if (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_'))
                    throw Refuse(i, $"'{text[start..(i + 1)]}' is not a number");
                var digits = text[start..i];
                tokens.Add(new Token(TokenKind.Number, digits.StartsWith('.') ? "0" + digits : digits.EndsWith('.') ? digits + "0" : digits, start + 1));
                continue;
            }
            if (c == '\'')
            {
                var value = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length)
                        throw Refuse(start, "the string literal is not closed");
                    if (text[i] == '\'')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '\'')
                        {
                            value.Append('\'');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (text[i] == '\0')
                        throw Refuse(i, "a string literal may not hold a NUL character");
                    value.Append(text[i++]);
                }
                tokens.Add(new Token(TokenKind.String, value.ToString(), start + 1));
                continue;
            }
            if (c == '-' && i + 1 < text.Length && text[i + 1] == '-' || c == '/' && i + 1 < text.Length && text[i + 1] == '*')
                throw Refuse(i, "comments are not allowed");
            if (c == ';')
                throw Refuse(i, "';' is not allowed: a feature is one expression, not statements");
            if (c == '"')
                throw Refuse(i, "quoted identifiers are not allowed: name a column bare, e.g. tenure_months");
            if (c == '$')
                throw Refuse(i, "'$' is not allowed (no dollar quoting, no parameters)");
            if (c == ':' && i + 1 < text.Length && text[i + 1] == ':')
                throw Refuse(i, "'::' casts are not allowed; write CAST(x AS type)");
            if (c == '.')
                throw Refuse(i, "qualified names are not allowed: an expression names its source's columns only");

            var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
            if (two is "<=" or ">=" or "<>" or "!=" or "||")
            {
                tokens.Add(new Token(TokenKind.Symbol, two, start + 1));
                i += 2;
                continue;
            }
            if (c is '(' or ')' or ',' or '+' or '-' or '*' or '/' or '%' or '=' or '<' or '>')
            {
                tokens.Add(new Token(TokenKind.Symbol, c.ToString(), start + 1));
                i++;
                continue;
            }
            throw Refuse(i, $"unexpected character '{(char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString())}'");
        }
        tokens.Add(new Token(TokenKind.End, "", text.Length + 1));
        return tokens;
    }

    private enum TokenKind
    {
        Word,
        Number,
        String,
        Symbol,
        End,
    }

    private sealed record Token(TokenKind Kind, string Text, int Position)
    {
        public string Describe() => Kind switch
        {
            TokenKind.End => "the end of the expression",
            TokenKind.String => $"the string '{Text}'",
            TokenKind.Word => $"'{Text}'",
            _ => $"'{Text}'",
        };
    }
}
