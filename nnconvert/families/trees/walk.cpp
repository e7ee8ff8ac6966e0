// The traversal's walk, fused: every row down every tree to its leaf, and the leaf values
// summed, in one pass over the input; and that sum alone, for the other forms.
//
// The walk reads the node table of table.py packed by walk_kernel.py, one record per node:
// {threshold, column, base}. A row at node i goes to base + (x[column] <= threshold), x
// widened as the table says; a leaf tests +inf and points at itself, so a fixed number of
// steps per tree (its depth) leaves every row at its leaf with no branch on the data. The
// rows of a block walk a tree side by side, one level at a time: their steps do not depend
// on each other, so the processor overlaps their memory reads, and the block's inputs and
// the tree's nodes stay in cache.
//
// The trees are summed one after another, in their own order, in the output's dtype: the
// same additions whichever form found the leaves, so every form gives the same bits.
//
// Loaded with ctypes (no Python API, so no link to libpython or torch), built by setup.py;
// without it the forms walk and sum in torch ops instead.
//
// walk_kernel.py checks the table before it packs it (guard.py: every column below the
// input's width, every root and child inside the table, each tree a tree reaching its leaves
// in its depth), so the walk never leaves its buffers. As a second guard, every index the
// walk reads from the table is clamped into the buffer it indexes (unsigned, so a negative
// one clamps too), except a step's child, which the checks alone keep inside: that clamp sits
// on the walk's chain of dependent reads and cost 1.2x on a 200-tree forest (measured),
// where the others cost nothing measurable. A leaf reads a column that never holds NaN (so
// no input moves a row off its leaf): column 0 of a widened input, where NaN is -inf, else
// an extra column, after the input's, that is always 0.
#include <algorithm>
#include <atomic>
#include <climits>
#include <cmath>
#include <cstdint>
#include <new>
#include <system_error>
#include <thread>
#include <vector>

namespace {

template <typename C>
struct Node {
    C threshold;
    int32_t column;
    int32_t base;
};

struct Trees {
    const void* nodes;
    uint32_t n_nodes;              // records in `nodes` (and rows of `value`), at least 1
    const int32_t* roots;
    const int32_t* depth;
    int64_t n_trees;
    const int32_t* category_row;   // per node: its row of category_left, or -1; may be null
    const uint8_t* category_left;  // 257 per row: code c goes left; last, a missing code
    uint32_t n_category_rows;      // rows of category_left (at least 1 where it is given)
    const double* value;           // (nodes, k)
    int64_t k;
    const int32_t* column;         // per tree, the one output column it adds to; may be null
    int64_t n_out;                 // output columns: k, or as many as `column` names
};

// `index` clamped into [0, size): a negative one (huge once unsigned) to size - 1
inline uint32_t inside(int32_t index, uint32_t size) {
    return std::min(static_cast<uint32_t>(index), size - 1);
}

// Tree t's leaf values `v` added to a row's sums `acc` (n_out of them): its k values
// (k <= n_out), or its one value in its column.
template <typename X, typename V>
inline void add_leaf(X* acc, const V* v, int64_t k, const int32_t* column, int64_t n_out,
                     int64_t t) {
    if (column) {
        acc[inside(column[t], static_cast<uint32_t>(n_out))] += static_cast<X>(v[0]);
    } else {
        for (int64_t j = 0; j < k; ++j) acc[j] += static_cast<X>(v[j]);
    }
}

// fn(begin, end) over rows [0, n_rows) in whole blocks, split among up to n_threads threads
template <typename Fn>
void in_parallel(int64_t n_rows, int64_t block, int n_threads, Fn fn) {
    const int64_t blocks = (n_rows + block - 1) / block;
    const int64_t workers = std::max<int64_t>(1, std::min<int64_t>(n_threads, blocks));
    std::atomic<bool> failed{false};
    auto part = [&](int64_t w) {
        try {  // an exception must not leave a thread: it would end the process
            fn(std::min(n_rows, blocks * w / workers * block),
               std::min(n_rows, blocks * (w + 1) / workers * block));
        } catch (...) {
            failed = true;
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(workers);  // so that only starting a thread can fail below
    for (int64_t w = 1; w < workers; ++w) {
        try {
            threads.emplace_back(part, w);
        } catch (const std::system_error&) {
            part(w);  // no thread to be had: this one does the part
        }
    }
    part(0);
    for (auto& thread : threads) thread.join();
    if (failed) throw std::bad_alloc();  // the one failure a part can meet: its buffers
}

// The block's rows as the splits compare them: in the thresholds' type C, and widened to
// [x with NaN as -inf, x] where NaN is routed, as the node table's columns number it (see
// table.py: a split whose NaN goes left reads column c of the first half (-inf passes
// every test), one whose NaN goes right column c of the second half (NaN fails every
// test). A step is then a read, a comparison and an addition. Last, a column of 0 that
// leaves read (0 <= +inf: a row stays at its leaf).
template <typename X, typename C>
void compared_block(const X* x, int64_t n_columns, int64_t rows, bool widened, C* out) {
    const int64_t width = (widened ? 2 * n_columns : n_columns) + 1;
    for (int64_t r = 0; r < rows; ++r) {
        const X* row = x + r * n_columns;
        C* o = out + r * width;
        o[width - 1] = C(0);
        for (int64_t c = 0; c < n_columns; ++c) {
            const C v = static_cast<C>(row[c]);
            if (widened) {
                o[c] = v != v ? -INFINITY : v;
                o[n_columns + c] = v;
            } else {
                o[c] = v;
            }
        }
    }
}

// where a split tests category codes (HistGradientBoosting): its bitset row, and last, the
// side of a missing code (NaN, negative); scikit-learn reads a code as a uint8
template <typename C>
inline bool category_goes_left(const uint8_t* row, C v) {
    const bool missing = v != v || v < 0;
    return row[missing ? 256 : static_cast<int>(std::min<C>(v, 255))];
}

// rows [begin, end) down every tree, `block` rows side by side
template <typename X, typename C, bool kCategories>
void walk_rows(const X* x, int64_t n_columns, bool widened, int64_t begin, int64_t end,
               int64_t block, const Trees& trees, X* out) {
    const Node<C>* nodes = static_cast<const Node<C>*>(trees.nodes);
    const int64_t k = trees.k, n_out = trees.n_out;
    const int64_t width = (widened ? 2 * n_columns : n_columns) + 1;  // and the leaves' 0
    const uint32_t n_nodes = trees.n_nodes, columns = static_cast<uint32_t>(width);
    std::vector<C> compared(block * width);
    std::vector<uint32_t> at(block);
    for (int64_t first = begin; first < end; first += block) {
        const int64_t rows = std::min(block, end - first);
        compared_block<X, C>(x + first * n_columns, n_columns, rows, widened, compared.data());
        const C* xs = compared.data();
        X* sums = out + first * n_out;
        std::fill(sums, sums + rows * n_out, X(0));
        for (int64_t t = 0; t < trees.n_trees; ++t) {
            std::fill(at.begin(), at.begin() + rows, inside(trees.roots[t], n_nodes));
            for (int32_t level = 0; level < trees.depth[t]; ++level) {
                for (int64_t r = 0; r < rows; ++r) {
                    const Node<C>& node = nodes[at[r]];
                    const C v = xs[r * width + inside(node.column, columns)];
                    bool left = v <= node.threshold;
                    if (kCategories) {
                        const int32_t codes = trees.category_row[at[r]];
                        if (codes >= 0)
                            left = category_goes_left(
                                trees.category_left +
                                    inside(codes, trees.n_category_rows) * 257LL, v);
                    }
                    // unsigned: base + 1 cannot overflow into undefined behaviour
                    at[r] = static_cast<uint32_t>(node.base) + left;
                }
            }
            for (int64_t r = 0; r < rows; ++r)
                add_leaf(sums + r * n_out, trees.value + int64_t(std::min(at[r], n_nodes - 1)) * k,
                         k, trees.column, n_out, t);
        }
    }
}

template <typename X, typename C>
void walk(const void* x, int64_t n_rows, int64_t n_columns, bool widened, int64_t block,
          const Trees& trees, void* out, int n_threads) {
    in_parallel(n_rows, block, n_threads, [&](int64_t begin, int64_t end) {
        const X* xs = static_cast<const X*>(x);
        if (trees.category_row)
            walk_rows<X, C, true>(xs, n_columns, widened, begin, end, block, trees,
                                  static_cast<X*>(out));
        else
            walk_rows<X, C, false>(xs, n_columns, widened, begin, end, block, trees,
                                   static_cast<X*>(out));
    });
}

// (n_rows, n_trees, k) leaf values summed over the trees into (n_rows, n_out)
template <typename X>
void sum(const void* leaf_values, int64_t n_rows, int64_t n_trees, int64_t k,
         const int32_t* column, int64_t n_out, void* out, int n_threads) {
    in_parallel(n_rows, 256, n_threads, [&](int64_t begin, int64_t end) {
        const X* values = static_cast<const X*>(leaf_values);
        X* sums = static_cast<X*>(out);
        std::fill(sums + begin * n_out, sums + end * n_out, X(0));
        for (int64_t r = begin; r < end; ++r)
            for (int64_t t = 0; t < n_trees; ++t)
                add_leaf(sums + r * n_out, values + (r * n_trees + t) * k, k, column, n_out, t);
    });
}

}  // namespace

extern "C" {

// The interface's version: walk_kernel.py loads a library only of its own version (a library
// built from an older walk.cpp would read these arguments wrongly).
int nnc_tree_interface() { return 3; }

// kind: 0 = float64 input, float64 thresholds; 1 = float64 input, float32 thresholds
// (scikit-learn's classic trees compare float32(x)); 2 = float32 input and thresholds.
// x: (n_rows, n_columns), C order; widened: whether columns number [x with NaN as -inf, x],
// then a column of 0 (what a leaf reads where x is not widened); block: rows walked side by
// side. nodes: n_nodes records, value: (n_nodes, k);
// category_left: n_category_rows rows of 257. out: (n_rows, n_out), the sums of the trees'
// leaf values, in the input's dtype. Returns 0, or -1 for an unknown kind or sizes that
// cannot describe a table (no node, k > n_out, no category row, ...).
int nnc_tree_walk(int kind, const void* x, int64_t n_rows, int64_t n_columns, int widened,
                  int64_t block, const void* nodes, int64_t n_nodes, const int32_t* roots,
                  const int32_t* depth, int64_t n_trees, const int32_t* category_row,
                  const uint8_t* category_left, int64_t n_category_rows, const double* value,
                  int64_t k, const int32_t* column, int64_t n_out, void* out, int n_threads) {
    if (n_nodes < 1 || n_nodes > INT32_MAX || n_rows < 0 || n_columns < 1 ||
        n_columns > INT32_MAX / 2 || block < 1 || n_trees < 0 || k < 1 || n_out < 1 ||
        (!column && k > n_out) ||
        (category_row && (!category_left || n_category_rows < 1 ||
                          n_category_rows > INT32_MAX)))
        return -1;
    const Trees trees{nodes, static_cast<uint32_t>(n_nodes), roots, depth, n_trees,
                      category_row, category_left, static_cast<uint32_t>(n_category_rows),
                      value, k, column, n_out};
    try {
        switch (kind) {
            case 0:
                walk<double, double>(x, n_rows, n_columns, widened, block, trees, out,
                                     n_threads);
                return 0;
            case 1:
                walk<double, float>(x, n_rows, n_columns, widened, block, trees, out,
                                    n_threads);
                return 0;
            case 2:
                walk<float, float>(x, n_rows, n_columns, widened, block, trees, out,
                                   n_threads);
                return 0;
            default:
                return -1;
        }
    } catch (const std::bad_alloc&) {
        return -2;  // no exception may cross into ctypes: it would end the process
    }
}

// The sums nnc_tree_walk makes, of (n_rows, n_trees, k) leaf values already found (float32
// when is_float32, else float64), into (n_rows, n_out).
int nnc_tree_sum(int is_float32, const void* leaf_values, int64_t n_rows, int64_t n_trees,
                 int64_t k, const int32_t* column, int64_t n_out, void* out, int n_threads) {
    if (n_rows < 0 || n_trees < 0 || k < 1 || n_out < 1 || (!column && k > n_out)) return -1;
    try {
        if (is_float32)
            sum<float>(leaf_values, n_rows, n_trees, k, column, n_out, out, n_threads);
        else
            sum<double>(leaf_values, n_rows, n_trees, k, column, n_out, out, n_threads);
    } catch (const std::bad_alloc&) {
        return -2;
    }
    return 0;
}

}
