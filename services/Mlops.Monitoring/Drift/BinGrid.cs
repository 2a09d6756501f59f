using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mlops.Monitoring.Drift;

/// <summary>
/// Finds the bin of a value — the number of edges at or below it — without a binary search. A uniform grid over
/// [first edge, last-but-one edge] maps a value to a cell by one multiplication; the edges are mapped by the very same
/// expression, and since that mapping never decreases, every edge of an earlier cell lies below the value and every edge of
/// a later cell above it. So the bin is the number of edges in earlier cells (kept per cell) plus those of the value's own
/// cell at or below it, plus one when the value reaches the last edge: the same bin
/// <see cref="Array.BinarySearch(double[], double)"/> gives, whatever the rounding. The last edge stays out of the grid
/// because a reference's last fine edge is the next double after the training maximum, itself an edge: no grid separates
/// them, and a plain comparison with a constant is cheaper than a second table look-up.
/// The grid is made fine enough, within a cap, that a cell holds at most one edge; then, with at most 255 edges, the cell
/// table is bytes (16 KB at most, it stays in the L1 cache) and a bin costs one look-up and two comparisons without a
/// branch (<see cref="Fast"/>). Other grids scan their cell; edges too far apart for a finite grid scale, or fewer than
/// three, fall back to the binary search.
/// </summary>
internal readonly struct BinGrid
{
    private const int MinCellsPerEdge = 8;
    private const int MaxCells = 16_384;

    private readonly int[] cellStarts;
    private readonly byte[]? byteCellStarts;
    private readonly double[] paddedEdges;
    private readonly double low;
    private readonly double scale;
    private readonly double top;
    private readonly double lastCellPosition;
    private readonly int lastCell;

    public BinGrid(double[] edges)
    {
        cellStarts = [];
        paddedEdges = [];
        if (edges.Length < 3)
            return;

        var inner = edges.AsSpan(0, edges.Length - 1);
        var width = inner[^1] - inner[0];
        var narrowest = double.PositiveInfinity;
        for (var i = 1; i < inner.Length; i++)
            narrowest = Math.Min(narrowest, inner[i] - inner[i - 1]);
        var wanted = 2 * width / narrowest;
        var cells = (int)Math.Clamp(double.IsFinite(wanted) ? wanted : MaxCells, (double)inner.Length * MinCellsPerEdge, MaxCells);
        var cellScale = cells / width;
        if (!double.IsFinite(width) || !double.IsFinite(cellScale) || cellScale <= 0)
            return;

        (low, scale, lastCell, lastCellPosition, top) = (inner[0], cellScale, cells, cells, edges[^1]);
        var perCell = new int[cells + 1];
        foreach (var edge in inner)
            perCell[CellOf(edge)]++;
        cellStarts = new int[cells + 1];
        for (var cell = 1; cell <= cells; cell++)
            cellStarts[cell] = cellStarts[cell - 1] + perCell[cell - 1];
        if (perCell.Max() <= 1 && inner.Length <= byte.MaxValue)
            byteCellStarts = [.. cellStarts.Select(start => (byte)start)];
        // A +∞ sentinel after the last inner edge ends every scan without a bounds test.
        paddedEdges = [.. inner, double.PositiveInfinity];
    }

    /// <summary>Whether <see cref="Fast"/> may be used: at most one edge per cell and a byte cell table.</summary>
    public bool IsFast => byteCellStarts is not null;

    public int BinOf(double[] edges, double value)
    {
        if (cellStarts.Length == 0)
            return SearchBin(edges, value);

        // Below the first edge the cell is 0 and no edge is at or below the value; NaN lands there too (bin 0, as ever).
        var bin = cellStarts[CellOf(value)];
        while (paddedEdges[bin] <= value)
            bin++;
        return bin + (value >= top ? 1 : 0);
    }

    /// <summary>The look-up of a grid that <see cref="IsFast"/>, for a loop over many values.</summary>
    public FastBins Fast() => new(ref MemoryMarshal.GetArrayDataReference(byteCellStarts!), ref MemoryMarshal.GetArrayDataReference(paddedEdges),
        low, scale, top, lastCell, lastCellPosition);

    private int CellOf(double value) => CellOf(value, low, scale, lastCell, lastCellPosition);

    /// <summary>
    /// The cell of a value, clamped to [0, last cell]. On x64 the clamp is done on the double, which then converts with one
    /// truncating instruction; elsewhere the saturating conversion and an integer clamp give the same cell.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CellOf(double value, double low, double scale, int lastCell, double lastCellPosition)
    {
        var position = (value - low) * scale;
        if (Sse2.IsSupported)
        {
            // MAXSD returns its second operand when the first is NaN: a NaN position becomes cell 0, as the saturating conversion makes it.
            var clamped = Sse2.MinScalar(Sse2.MaxScalar(Vector128.CreateScalarUnsafe(position), Vector128<double>.Zero), Vector128.CreateScalarUnsafe(lastCellPosition));
            return Sse2.ConvertToInt32WithTruncation(clamped);
        }
        return Math.Clamp((int)position, 0, lastCell);
    }

    /// <summary>
    /// A fast grid held by references into its tables, so a loop pays no null or bounds check: bin = edges in earlier cells
    /// (one byte) + the cell's edge when at or below the value + the last edge when reached, without a branch.
    /// </summary>
    public readonly ref struct FastBins(ref byte cellStarts, ref double paddedEdges, double low, double scale, double top, int lastCell, double lastCellPosition)
        : ILookup
    {
        private readonly ref byte cellStarts = ref cellStarts;
        private readonly ref double paddedEdges = ref paddedEdges;

        /// <summary>The bin of a finite value.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nuint Of(double value)
        {
            nuint bin = Unsafe.Add(ref cellStarts, (nuint)(uint)CellOf(value, low, scale, lastCell, lastCellPosition));
            return bin + (nuint)((Unsafe.Add(ref paddedEdges, bin) <= value ? 1u : 0u) + (value >= top ? 1u : 0u));
        }
    }

    /// <summary>A way of finding bins, as a type argument: a loop generic over it is compiled once per kind, with the look-up inlined.</summary>
    public interface ILookup
    {
        /// <summary>The bin of a finite value.</summary>
        nuint Of(double value);
    }

    /// <summary>Any grid, fast or not, by <see cref="BinOf"/>.</summary>
    public readonly struct AnyBins(BinGrid grid, double[] edges) : ILookup
    {
        public nuint Of(double value) => (nuint)grid.BinOf(edges, value);
    }

    private static int SearchBin(double[] edges, double value)
    {
        var index = Array.BinarySearch(edges, value);
        return index >= 0 ? index + 1 : ~index;
    }
}
