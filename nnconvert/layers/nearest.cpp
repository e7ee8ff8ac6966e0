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
// Which of several points at an equal fast distance is kept does not matter: the caller
// re-ranks the kept points by exact distances and falls back to every exact distance where
// the fast form's rounding could have left a nearer point out. (Here, an earlier point
// keeps its place: only a strictly smaller value displaces a kept one.)
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

// fn(begin, end) over rows [0, n_rows), split among up to n_threads threads
template <typename Fn>
void in_parallel(int64_t n_rows, int64_t min_rows, int n_threads, Fn fn) {
    const int64_t workers = std::max<int64_t>(
        1, std::min<int64_t>(n_threads, n_rows / std::max<int64_t>(1, min_rows)));
    std::atomic<bool> failed{false};
    auto part = [&](int64_t w) {
        try {  // an exception must not leave a thread: it would end the process
            fn(n_rows * w / workers, n_rows * (w + 1) / workers);
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

// Rows [begin, end) of the queries x (n, d) against every panel, into their kept points.
// Compiled for AVX-512, AVX2 and the baseline, chosen when the library loads.
__attribute__((target_clones("avx512f", "avx2", "default")))
void search_rows(const float* x, int64_t d, int64_t begin, int64_t end, const float* panels,
                 const float* norms, int64_t n_panels, int64_t take, float* values,
                 int64_t* indices) {
    const int64_t chunk = std::max<int64_t>(1, kChunkBytes / (d * kLanes * int64_t(sizeof(float))));
    std::vector<float> tail(kRows * d, 0.0f);  // the last rows, padded to kRows
    for (int64_t p0 = 0; p0 < n_panels; p0 += chunk) {
        const int64_t p1 = std::min(n_panels, p0 + chunk);
        for (int64_t r0 = begin; r0 < end; r0 += kRows) {
            const int64_t rows = std::min(kRows, end - r0);
            const float* q = x + r0 * d;
            if (rows < kRows) {
                std::copy(q, q + rows * d, tail.begin());
                q = tail.data();
            }
            for (int64_t p = p0; p < p1; ++p) {
                const float* panel = panels + p * d * kLanes;
                Lanes acc[kRows] = {};
                for (int64_t k = 0; k < d; ++k) {
                    Lanes b;
                    std::memcpy(&b, panel + k * kLanes, sizeof b);
                    for (int64_t r = 0; r < kRows; ++r) acc[r] += q[r * d + k] * b;
                }
                Lanes norm;
                std::memcpy(&norm, norms + p * kLanes, sizeof norm);
                for (int64_t r = 0; r < rows; ++r) {
                    float* kept = values + (r0 + r) * take;
                    const Lanes fast = norm - 2.0f * acc[r];
                    const float threshold = kept[take - 1];
                    int below = 0;
                    for (int64_t l = 0; l < kLanes; ++l) below |= fast[l] < threshold;
                    if (!below) continue;
                    for (int64_t l = 0; l < kLanes; ++l)
                        if (fast[l] < kept[take - 1])
                            insert(kept, indices + (r0 + r) * take, take, fast[l],
                                   p * kLanes + l);
                }
            }
        }
    }
}

}  // namespace

extern "C" {

// The interface's version: nearest_kernel.py loads a library only of its own version.
int nnc_nearest_interface() { return 2; }

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
        in_parallel(n_rows, 4 * kRows, n_threads, [&](int64_t begin, int64_t end) {
            search_rows(x, d, begin, end, panels, norms, n_panels, take, values, indices);
        });
    } catch (const std::bad_alloc&) {
        return -2;  // no exception may cross into ctypes: it would end the process
    }
    return 0;
}

}
