// nnconvert.verify: compare a block of reference scores with a network's, in one pass.
//
// One launch per score method reads both score matrices once and produces, for the block:
// the largest elementwise difference and the first row holding it, the largest reference
// magnitude (the score scale), and - in the launch of the method the label margin is
// measured in - every row whose predicted class differs, with the reference's margin there
// (the host applies the near-tie band once every block is in).
//
// The per-row logic is written as __host__ __device__ functions so that the very same code
// runs on the CPU (compiled with a C++ compiler and -DNNCONVERT_HOST_HARNESS) and is tested
// there against the NumPy path; only the reduction across threads is device-only.
// It compiles with NVRTC (cupy.RawModule) and needs no header at all.

#if !defined(__CUDACC__)
#define __host__
#define __device__
#define __global__
#endif

namespace nnconvert {

// margin rules, as nnconvert.agreement.reference_margin's default reads the scores
enum MarginRule : int {
    MARGIN_ON_HOST = -1,  // the estimator decides otherwise: margins come from the host
    MARGIN_THRESHOLD = 1, // |score[column] - threshold| (binary problems)
    MARGIN_TOP_TWO = 2,   // gap between the two largest scores (argmax problems)
};

struct Accumulator {
    double max_abs;                 // largest |got - ref| so far
    double scale;                   // largest |ref| so far
    long long worst;                // first row holding max_abs (-1: none yet)
    unsigned long long mismatches;  // rows whose predicted class differs
};

__host__ __device__ inline double positive_infinity() { return __builtin_huge_val(); }

__host__ __device__ inline bool is_nan(double x) { return x != x; }

// |x| without <math.h>, so that NVRTC needs no header (-0.0 stays -0.0: compares equal to 0)
__host__ __device__ inline double magnitude(double x) { return x < 0 ? -x : x; }

// |x| for the score scale; infinities (the log of a zero probability) measure nothing
__host__ __device__ inline double scale_magnitude(double x) {
    double m = magnitude(x);
    return m <= 1.7976931348623157e308 ? m : 0.0;  // false for inf and NaN
}

// |got - ref|; equal values (infinities too) differ by 0, a NaN on one side only by infinity
__host__ __device__ inline double element_difference(double ref, double got) {
    if (ref == got) return 0.0;
    double d = magnitude(got - ref);
    if (is_nan(d)) return (is_nan(ref) && is_nan(got)) ? 0.0 : positive_infinity();
    return d;
}

__host__ __device__ inline Accumulator empty_accumulator() {
    Accumulator a;
    a.max_abs = -1.0;
    a.scale = 0.0;
    a.worst = -1;
    a.mismatches = 0;
    return a;
}

// fold b into a: the larger difference wins, the earlier row on a tie (order-free result)
__host__ __device__ inline void combine(Accumulator& a, const Accumulator& b) {
    if (b.max_abs > a.max_abs || (b.max_abs == a.max_abs && b.worst >= 0 &&
                                  (a.worst < 0 || b.worst < a.worst))) {
        a.max_abs = b.max_abs;
        a.worst = b.worst;
    }
    if (b.scale > a.scale) a.scale = b.scale;
    a.mismatches += b.mismatches;
}

// how far the reference is from changing its label on one row
__host__ __device__ inline double row_margin(const double* ref_row, int width, int rule,
                                             int column, double threshold) {
    if (rule == MARGIN_THRESHOLD) return magnitude(ref_row[column] - threshold);
    if (rule == MARGIN_TOP_TWO) {
        if (width < 2) return positive_infinity();
        double first = -positive_infinity(), second = -positive_infinity();
        for (int j = 0; j < width; ++j) {
            double s = ref_row[j];
            if (s > first) { second = first; first = s; }
            else if (s > second) second = s;
        }
        return first - second;
    }
    return __builtin_nan("");
}

__host__ __device__ inline unsigned long long claim_slot(unsigned long long* counter) {
#if defined(__CUDA_ARCH__)
    return atomicAdd(counter, 1ULL);
#else
    return (*counter)++;
#endif
}

// everything one row contributes; labels are compared when both index arrays are given
template <typename T>
__host__ __device__ inline void compare_row(
    long long i, const double* ref, const T* got, int width,
    const long long* ref_index, const long long* got_index,
    int rule, int column, double threshold,
    Accumulator& acc, long long* mismatch_rows, double* mismatch_margins,
    unsigned long long* slots) {
    const double* r = ref + i * (long long)width;
    const T* g = got + i * (long long)width;
    double row_max = 0.0;
    for (int j = 0; j < width; ++j) {
        double d = element_difference(r[j], (double)g[j]);
        if (d > row_max) row_max = d;
        double m = scale_magnitude(r[j]);
        if (m > acc.scale) acc.scale = m;
    }
    if (row_max > acc.max_abs || (row_max == acc.max_abs && (acc.worst < 0 || i < acc.worst))) {
        acc.max_abs = row_max;
        acc.worst = i;
    }
    if (ref_index == 0 || got_index == 0 || ref_index[i] == got_index[i]) return;
    double margin = row_margin(r, width, rule, column, threshold);
    acc.mismatches += 1;
    unsigned long long slot = claim_slot(slots);
    mismatch_rows[slot] = i;
    mismatch_margins[slot] = margin;
}

}  // namespace nnconvert

#if defined(__CUDACC__)

#define NNCONVERT_THREADS 256

// another block wrote it: read around this SM's caches
__device__ inline nnconvert::Accumulator load_volatile(const nnconvert::Accumulator* p) {
    const volatile nnconvert::Accumulator* v = p;
    nnconvert::Accumulator a;
    a.max_abs = v->max_abs;
    a.scale = v->scale;
    a.worst = v->worst;
    a.mismatches = v->mismatches;
    return a;
}

// Grid-stride over the rows; each block reduces its threads' accumulators in shared memory,
// and the last block to finish folds the blocks' results into result[0] (then re-arms the
// counter), so a single launch leaves the block's answer in device memory.
// counters[0]: mismatch slots used; counters[1]: blocks finished. Both start at 0.
template <typename T>
__global__ void compare_scores(
    const double* ref, const T* got, long long n, int width,
    const long long* ref_index, const long long* got_index,
    int rule, int column, double threshold,
    nnconvert::Accumulator* partials, nnconvert::Accumulator* result,
    long long* mismatch_rows, double* mismatch_margins, unsigned long long* counters) {
    using namespace nnconvert;
    __shared__ Accumulator shared[NNCONVERT_THREADS];
    __shared__ bool last_block;
    Accumulator acc = empty_accumulator();
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        compare_row<T>(i, ref, got, width, ref_index, got_index, rule, column, threshold,
                       acc, mismatch_rows, mismatch_margins, &counters[0]);
    }
    shared[threadIdx.x] = acc;
    __syncthreads();
    for (unsigned int half = blockDim.x / 2; half > 0; half >>= 1) {
        if (threadIdx.x < half) combine(shared[threadIdx.x], shared[threadIdx.x + half]);
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = shared[0];
        __threadfence();
        unsigned long long finished = atomicAdd(&counters[1], 1ULL);
        last_block = (finished == gridDim.x - 1);
    }
    __syncthreads();
    if (last_block && threadIdx.x == 0) {
        __threadfence();
        Accumulator total = empty_accumulator();
        for (unsigned int b = 0; b < gridDim.x; ++b) {
            combine(total, load_volatile(partials + b));
        }
        result[0] = total;
        counters[1] = 0;
    }
}

template __global__ void compare_scores<double>(
    const double*, const double*, long long, int, const long long*, const long long*, int, int,
    double, nnconvert::Accumulator*, nnconvert::Accumulator*, long long*, double*,
    unsigned long long*);
template __global__ void compare_scores<float>(
    const double*, const float*, long long, int, const long long*, const long long*, int, int,
    double, nnconvert::Accumulator*, nnconvert::Accumulator*, long long*, double*,
    unsigned long long*);

#endif  // __CUDACC__

#if defined(NNCONVERT_HOST_HARNESS)
// The kernel's per-row logic, row after row, for tests on machines without a GPU.
template <typename T>
static nnconvert::Accumulator host_compare(
    const double* ref, const T* got, long long n, int width,
    const long long* ref_index, const long long* got_index, int rule, int column,
    double threshold, long long* mismatch_rows, double* mismatch_margins) {
    nnconvert::Accumulator acc = nnconvert::empty_accumulator();
    unsigned long long slots = 0;
    for (long long i = 0; i < n; ++i)
        nnconvert::compare_row<T>(i, ref, got, width, ref_index, got_index, rule, column,
                                  threshold, acc, mismatch_rows, mismatch_margins, &slots);
    return acc;
}

extern "C" nnconvert::Accumulator compare_scores_host_f64(
    const double* ref, const double* got, long long n, int width,
    const long long* ref_index, const long long* got_index, int rule, int column,
    double threshold, long long* mismatch_rows, double* mismatch_margins) {
    return host_compare<double>(ref, got, n, width, ref_index, got_index, rule, column,
                                threshold, mismatch_rows, mismatch_margins);
}

extern "C" nnconvert::Accumulator compare_scores_host_f32(
    const double* ref, const float* got, long long n, int width,
    const long long* ref_index, const long long* got_index, int rule, int column,
    double threshold, long long* mismatch_rows, double* mismatch_margins) {
    return host_compare<float>(ref, got, n, width, ref_index, got_index, rule, column,
                               threshold, mismatch_rows, mismatch_margins);
}

extern "C" nnconvert::Accumulator combine_host(nnconvert::Accumulator a,
                                               nnconvert::Accumulator b) {
    nnconvert::combine(a, b);
    return a;
}
#endif  // NNCONVERT_HOST_HARNESS
