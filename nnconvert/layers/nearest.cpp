// The k-smallest search of the distance layers, compiled: for each query row, the `take`
// stored points of smallest fast squared distance ‖c‖² − 2x·c (‖x‖² is the same for every
// point of a row, so it is left out of the comparison and added by the caller).
//
// The dot products and the selection are one pass: a block of query rows is multiplied
// with a panel of 16 stored points in registers (a small matrix product, the points read
// from a chunk that stays in L2 cache), and the 16 fast distances of each row go straight
// to its running `take` smallest; the distance matrix is never stored. A row's largest kept
// value is a threshold that almost every point fails: the 16 are compared at once, and only
// a panel holding a point under it is inserted from. The search runs on its own threads
// (not torch's OpenMP pool, whose idle spinning slows threads that come after it on a
// busy machine).
//
// Which of several points at an equal fast distance is kept does not matter: the kept points
// are re-ranked by exact distances (here, in the same pass, by nnc_nearest_exact; or by the
// caller in torch) and the caller falls back to every exact distance where the fast form's
// rounding could have left a nearer point out. (Here, an earlier point keeps its place:
// only a strictly smaller value displaces a kept one.)
//
// The exact re-rank gives the bits torch's reference gives (layers/distances.py): float64
// differences, their squares summed by halving (padded with zeros to a power of two, then
// s[j] + s[j + h] for h = P/2, P/4, ..., 1), no fused multiply-add; a candidate's rank is
// the number of candidates nearer, or as near and of a lower point, as the torch layer
// counts it. Squared distances are returned: the caller takes torch's square root (which
// is not correctly rounded on every CPU, so the same function must take it).
//
// Every index this file reads or writes is derived from the sizes it is given and checked
// against them: it cannot read or write outside buffers of those sizes (nearest_kernel.py
// checks the buffers' sizes). Loaded with ctypes (no Python API, no link to libpython or
// torch), built by setup.py; without it the layers search with torch ops.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <system_error>
#include <thread>
#include <vector>

namespace {

// fn(begin, end) over rows [0, n_rows), in parts of `step` rows taken in turn by up to
// n_threads threads: a thread that shares its core with another process takes fewer parts
// instead of holding the others back (a static split waits for the slowest), and the call
// waits at most one part for a thread the scheduler has left aside
template <typename Fn>
void in_parallel(int64_t n_rows, int64_t step, int n_threads, Fn fn) {
    step = std::max<int64_t>(1, step);
    const int64_t workers = std::max<int64_t>(
        1, std::min<int64_t>(n_threads, (n_rows + step - 1) / step));
    std::atomic<int64_t> next{0};
    std::atomic<bool> failed{false};
    auto work = [&]() {
        try {  // an exception must not leave a thread: it would end the process
            for (int64_t begin = next.fetch_add(step); begin < n_rows && !failed;
                 begin = next.fetch_add(step))
                fn(begin, std::min(n_rows, begin + step));
        } catch (...) {
            failed = true;
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(workers);  // so that only starting a thread can fail below
    for (int64_t w = 1; w < workers; ++w) {
        try {
            threads.emplace_back(work);
        } catch (const std::system_error&) {
            break;  // no thread to be had: the others take its parts
        }
    }
    work();
    for (auto& thread : threads) thread.join();
    if (failed) throw std::bad_alloc();
}

// Points are packed in panels of kLanes: panel p holds points 16p .. 16p + 15, feature k of
// the 16 side by side (16 floats at panel + 16k), so that one vector load reads a feature of
// 16 points; a last panel is padded with points whose norm is +inf (never kept).
constexpr int64_t kLanes = 16;
// query rows computed together: kRows accumulators of 16 lanes stay in registers (12 of
// AVX2's 16, 6 of AVX-512's 32)
constexpr int64_t kRows = 6;
// the points of a chunk of panels stay in L2 while every row of a thread's share reads them
constexpr int64_t kChunkBytes = 256 << 10;

// Rows a thread takes at a time: at least kPartWork multiply-adds (about half a millisecond
// of a core: every part streams the panels from memory once) and 4·kRows rows.
constexpr int64_t kPartWork = int64_t(1) << 25;
int64_t part_rows(int64_t n_panels, int64_t d) {
    return std::max<int64_t>(4 * kRows, kPartWork / std::max<int64_t>(1, n_panels * kLanes * d));
}

typedef float Lanes __attribute__((vector_size(kLanes * sizeof(float))));

// One row's kept points, ascending by value: value `v` of point `index` goes in if it is
// smaller than the largest kept (which leaves).
inline void insert(float* values, int64_t* indices, int64_t take, float v, int64_t index) {
    int64_t at = take - 1;
    while (at > 0 && values[at - 1] > v) {
        values[at] = values[at - 1];
        indices[at] = indices[at - 1];
        --at;
    }
    values[at] = v;
    indices[at] = index;
}

// Rows r0 .. r0 + R − 1 of the queries x (n, d) against panels [p0, p1), into their kept
// points: R accumulators of 16 lanes in registers. Inlined into each clone of search_rows.
template <int64_t R>
__attribute__((always_inline)) inline void search_block(
        const float* x, int64_t d, int64_t r0, int64_t p0, int64_t p1, const float* panels,
        const float* norms, int64_t take, float* values, int64_t* indices) {
    const float* q = x + r0 * d;
    for (int64_t p = p0; p < p1; ++p) {
        const float* panel = panels + p * d * kLanes;
        Lanes acc[R] = {};
        for (int64_t k = 0; k < d; ++k) {
            Lanes b;
            std::memcpy(&b, panel + k * kLanes, sizeof b);
            for (int64_t r = 0; r < R; ++r) acc[r] += q[r * d + k] * b;
        }
        Lanes norm;
        std::memcpy(&norm, norms + p * kLanes, sizeof norm);
        for (int64_t r = 0; r < R; ++r) {
            float* kept = values + (r0 + r) * take;
            const Lanes fast = norm - 2.0f * acc[r];
            const float threshold = kept[take - 1];
            int below = 0;
            for (int64_t l = 0; l < kLanes; ++l) below |= fast[l] < threshold;
            if (!below) continue;
            for (int64_t l = 0; l < kLanes; ++l)
                if (fast[l] < kept[take - 1])
                    insert(kept, indices + (r0 + r) * take, take, fast[l], p * kLanes + l);
        }
    }
}

// Rows [begin, end) of the queries x (n, d) against every panel, into their kept points:
// kRows at a time, the last few one by one (a single row, as when serving, costs one row's
// work, not kRows'). Compiled for AVX-512, AVX2 and the baseline, chosen when the library
// loads.
__attribute__((target_clones("avx512f", "avx2", "default")))
void search_rows(const float* x, int64_t d, int64_t begin, int64_t end, const float* panels,
                 const float* norms, int64_t n_panels, int64_t take, float* values,
                 int64_t* indices) {
    const int64_t chunk = std::max<int64_t>(1, kChunkBytes / (d * kLanes * int64_t(sizeof(float))));
    for (int64_t p0 = 0; p0 < n_panels; p0 += chunk) {
        const int64_t p1 = std::min(n_panels, p0 + chunk);
        int64_t r0 = begin;
        for (; r0 + kRows <= end; r0 += kRows)
            search_block<kRows>(x, d, r0, p0, p1, panels, norms, take, values, indices);
        for (; r0 < end; ++r0)
            search_block<1>(x, d, r0, p0, p1, panels, norms, take, values, indices);
    }
}


// The exact re-rank's inputs and outputs (nnc_nearest_exact).
struct Exact {
    const double* x;       // the queries, (n_rows, d), float64
    const double* points;  // the stored points, (n_points, d), float64
    int64_t n_points;
    int64_t k;             // neighbours kept, 1 <= k <= take
    float spread;          // the largest ‖c‖² in float32, for the fast form's error bound
    int64_t* nearest;      // (n_rows, k): the k nearest, nearest first
    double* distances;     // (n_rows, k): their exact squared distances
    uint8_t* unsure;       // (n_rows,): 1 where a point outside the candidates may be nearer
};

// The exact squared distance from x to c (d features): squares of the float64 differences
// summed by halving over `sums` (power_of_two places, power_of_two >= d). No fused
// multiply-add (the library is built with them for the search): the bits must be torch's.
__attribute__((optimize("fp-contract=off")))
double exact_distance(const double* x, const double* c, int64_t d, double* sums,
                      int64_t power_of_two) {
    for (int64_t j = 0; j < d; ++j) {
        const double diff = x[j] - c[j];
        sums[j] = diff * diff;
    }
    std::fill(sums + d, sums + power_of_two, 0.0);
    for (int64_t half = power_of_two / 2; half >= 1; half /= 2)
        for (int64_t j = 0; j < half; ++j) sums[j] = sums[j] + sums[j + half];
    return sums[0];
}

// Rows [first, first + n) of the queries: their candidates (x32, values and indices hold
// these n rows only; take a row, from search_rows) re-ranked by exact distance into their k
// nearest, as the torch layer ranks them; a row is unsure where its fast form's rounding
// could hide a nearer point, or its candidates are not all points.
__attribute__((optimize("fp-contract=off")))
void rerank_rows(const Exact& e, const float* x32, int64_t d, int64_t first, int64_t n,
                 int64_t take, const float* values, const int64_t* indices) {
    int64_t power_of_two = 1;
    while (power_of_two < d) power_of_two *= 2;
    std::vector<double> sums(power_of_two), exact(take);
    std::vector<int64_t> candidates(take);
    const float eps = std::numeric_limits<float>::epsilon();
    for (int64_t row = 0; row < n; ++row) {
        const double* x = e.x + (first + row) * d;
        bool unsure = false;
        for (int64_t i = 0; i < take; ++i) {
            int64_t index = indices[row * take + i];
            if (index < 0 || index >= e.n_points) {  // unfilled: the caller redoes the row
                unsure = true;
                index = 0;
            }
            candidates[i] = index;
            exact[i] = exact_distance(x, e.points + index * d, d, sums.data(), power_of_two);
        }
        int64_t* nearest = e.nearest + (first + row) * e.k;
        double* distances = e.distances + (first + row) * e.k;
        std::fill(nearest, nearest + e.k, int64_t(0));
        std::fill(distances, distances + e.k, 0.0);
        for (int64_t i = 0; i < take; ++i) {
            int64_t rank = 0;
            for (int64_t j = 0; j < take; ++j)
                rank += exact[j] < exact[i]
                        || (exact[j] == exact[i] && candidates[j] < candidates[i]);
            if (rank < e.k) {
                nearest[rank] = candidates[i];
                distances[rank] = exact[i];
            }
        }
        if (take < e.n_points && !unsure) {
            // any point outside the candidates is at least (largest candidate − error) away,
            // the error of a dot product of d terms being about d·eps·(‖x‖² + ‖c‖²)
            float norm = 0.0f;
            for (int64_t j = 0; j < d; ++j) norm += x32[row * d + j] * x32[row * d + j];
            const double error = float(d + 4) * eps * (norm + e.spread);
            const double largest = double(values[row * take + take - 1]) + double(norm);
            const double kth = distances[e.k - 1];
            // not a number (an overflow) is unsure too
            unsure = !(largest - 2 * error > kth);
        }
        e.unsure[first + row] = unsure;
    }
}

}  // namespace

extern "C" {

// The interface's version: nearest_kernel.py loads a library only of its own version.
int nnc_nearest_interface() { return 3; }

// For each query row, the `take` points of smallest ‖c‖² − 2x·c, ascending.
// x: (n_rows, d) float32, C order; panels: n_panels * d * 16 floats (see kLanes); norms:
// n_panels * 16 floats, ‖c‖² (+inf for padding); values, indices: (n_rows, take), filled
// here (a row with fewer than `take` finite values keeps +inf and -1 in its last places).
// Returns 0; -1 for sizes that do not describe buffers; -2 out of memory.
int nnc_nearest_search(const float* x, int64_t n_rows, int64_t d, const float* panels,
                       const float* norms, int64_t n_panels, int64_t take, float* values,
                       int64_t* indices, int n_threads) {
    if (n_rows < 0 || d < 1 || n_panels < 1 || take < 1 || take > n_panels * kLanes
        || !panels || !norms || ((!x || !values || !indices) && n_rows > 0))
        return -1;
    try {
        std::fill(values, values + n_rows * take, std::numeric_limits<float>::infinity());
        std::fill(indices, indices + n_rows * take, int64_t(-1));
        in_parallel(n_rows, part_rows(n_panels, d), n_threads, [&](int64_t begin, int64_t end) {
            search_rows(x, d, begin, end, panels, norms, n_panels, take, values, indices);
        });
    } catch (const std::bad_alloc&) {
        return -2;  // no exception may cross into ctypes: it would end the process
    }
    return 0;
}


// The k nearest points of each query row by exact distance, in one pass: the `take` smallest
// fast distances found as nnc_nearest_search finds them, then re-ranked by their exact
// (float64, difference form) distances, each thread its own rows.
// x32, panels, norms, n_panels, take: as for nnc_nearest_search; x64: the same rows in
// float64, (n_rows, d); points: the n_points stored points in float64, (n_points, d), with
// (n_panels − 1)·16 < n_points <= n_panels·16; k <= take; spread: max ‖c‖² (float32).
// Fills nearest, distances (squared, (n_rows, k)) and unsure (n_rows,): 1 where the caller
// must search the row
// another way (the fast form's rounding could hide a nearer point). Returns as
// nnc_nearest_search.
int nnc_nearest_exact(const float* x32, const double* x64, int64_t n_rows, int64_t d,
                      const float* panels, const float* norms, int64_t n_panels,
                      const double* points, int64_t n_points, int64_t take, int64_t k,
                      float spread, int64_t* nearest, double* distances,
                      uint8_t* unsure, int n_threads) {
    if (n_rows < 0 || d < 1 || n_panels < 1 || take < 1 || take > n_points || k < 1
        || k > take || n_points > n_panels * kLanes || n_points <= (n_panels - 1) * kLanes
        || !panels || !norms || !points
        || ((!x32 || !x64 || !nearest || !distances || !unsure) && n_rows > 0))
        return -1;
    const Exact exact{x64, points, n_points, k, spread, nearest, distances, unsure};
    try {
        in_parallel(n_rows, part_rows(n_panels, d), n_threads, [&](int64_t begin, int64_t end) {
            // this part's candidates, then their exact ranks
            std::vector<float> values((end - begin) * take,
                                      std::numeric_limits<float>::infinity());
            std::vector<int64_t> indices((end - begin) * take, int64_t(-1));
            search_rows(x32 + begin * d, d, 0, end - begin, panels, norms, n_panels, take,
                        values.data(), indices.data());
            rerank_rows(exact, x32 + begin * d, d, begin, end - begin, take, values.data(),
                        indices.data());
        });
    } catch (const std::bad_alloc&) {
        return -2;
    }
    return 0;
}

}
