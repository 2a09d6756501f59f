namespace Mlops.Monitoring.Drift;

/// <summary>
/// Finds the bin of a value — the number of edges at or below it — without a binary search. A uniform grid over
/// [first edge, last edge] maps a value to a cell by one multiplication; the edges are mapped by the very same expression,
/// and since that mapping never decreases, every edge of an earlier cell lies below the value and every edge of a later cell
/// above it. So the bin is the number of edges in earlier cells (kept per cell) plus those of the value's own cell at or
/// below it: the same bin <see cref="Array.BinarySearch(double[], double)"/> gives, whatever the rounding. The grid is made
/// fine enough, within a cap, that a cell holds at most one edge, and then that last step has no branch. Edges too far
/// apart for a finite grid scale fall back to the binary search.
/// </summary>
internal readonly struct BinGrid
{
    private const int MinCellsPerEdge = 8;
    private const int MaxCells = 16_384;

    private readonly int[] cellStarts;
    private readonly double[] paddedEdges;
    private readonly double low;
    private readonly double scale;
    private readonly int lastCell;
    private readonly bool oneEdgePerCell;

    public BinGrid(double[] edges)
    {
        cellStarts = [];
        paddedEdges = [];
        if (edges.Length < 2)
            return;

        var width = edges[^1] - edges[0];
        var narrowest = double.PositiveInfinity;
        for (var i = 1; i < edges.Length; i++)
            narrowest = Math.Min(narrowest, edges[i] - edges[i - 1]);
        var wanted = 2 * width / narrowest;
        var cells = (int)Math.Clamp(double.IsFinite(wanted) ? wanted : MaxCells, (double)edges.Length * MinCellsPerEdge, MaxCells);
        var cellScale = cells / width;
        if (!double.IsFinite(width) || !double.IsFinite(cellScale) || cellScale <= 0)
            return;

        (low, scale, lastCell) = (edges[0], cellScale, cells);
        var perCell = new int[cells + 1];
        foreach (var edge in edges)
            perCell[CellOf(edge)]++;
        cellStarts = new int[cells + 1];
        for (var cell = 1; cell <= cells; cell++)
            cellStarts[cell] = cellStarts[cell - 1] + perCell[cell - 1];
        oneEdgePerCell = perCell.Max() <= 1;
        // A +∞ sentinel after the last edge ends every scan without a bounds test.
        paddedEdges = [.. edges, double.PositiveInfinity];
    }

    public int BinOf(double[] edges, double value)
    {
        if (cellStarts.Length == 0)
            return SearchBin(edges, value);
        if (!(value >= edges[0]))
            return 0;
        if (value >= edges[^1])
            return edges.Length;

        var bin = cellStarts[CellOf(value)];
        if (oneEdgePerCell)
            return bin + (paddedEdges[bin] <= value ? 1 : 0);
        while (paddedEdges[bin] <= value)
            bin++;
        return bin;
    }

    private int CellOf(double value) => Math.Min((int)((value - low) * scale), lastCell);

    private static int SearchBin(double[] edges, double value)
    {
        var index = Array.BinarySearch(edges, value);
        return index >= 0 ? index + 1 : ~index;
    }
}
