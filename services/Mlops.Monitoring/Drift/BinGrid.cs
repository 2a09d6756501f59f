namespace Mlops.Monitoring.Drift;

/// <summary>
/// Finds the bin of a value — the number of edges at or below it — without a binary search: a uniform grid over
/// [first edge, last edge] gives each cell the bin of its lower bound, and a short scan from there ends on the exact bin.
/// The scan runs both ways until the bin's edges enclose the value, so a cell index off by one through rounding still
/// lands on the bin <see cref="Array.BinarySearch(double[], double)"/> would give; the grid only decides how short the scan is.
/// Edges too far apart for a finite grid scale fall back to the binary search.
/// </summary>
internal readonly struct BinGrid
{
    private const int CellsPerEdge = 8;
    private const int MaxCells = 8192;

    private readonly int[] cellStarts;
    private readonly double low;
    private readonly double scale;

    public BinGrid(double[] edges)
    {
        cellStarts = [];
        if (edges.Length < 2)
            return;

        var cells = Math.Min(edges.Length * CellsPerEdge, MaxCells);
        var width = edges[^1] - edges[0];
        var cellScale = cells / width;
        if (!double.IsFinite(width) || !double.IsFinite(cellScale) || cellScale <= 0)
            return;

        low = edges[0];
        scale = cellScale;
        cellStarts = new int[cells + 1];
        for (var cell = 0; cell <= cells; cell++)
            cellStarts[cell] = SearchBin(edges, low + cell / scale);
    }

    public int BinOf(double[] edges, double value)
    {
        if (cellStarts.Length == 0)
            return SearchBin(edges, value);
        if (!(value >= edges[0]))
            return 0;
        var last = edges.Length;
        if (value >= edges[last - 1])
            return last;

        var cell = (int)((value - low) * scale);
        var bin = cellStarts[Math.Min(cell, cellStarts.Length - 1)];
        while (bin > 0 && edges[bin - 1] > value)
            bin--;
        while (bin < last && edges[bin] <= value)
            bin++;
        return bin;
    }

    private static int SearchBin(double[] edges, double value)
    {
        var index = Array.BinarySearch(edges, value);
        return index >= 0 ? index + 1 : ~index;
    }
}
