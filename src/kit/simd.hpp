// Eight doubles as one, two or four machine vectors (GCC vector extensions),
// for the kernels of kernels.cpp. A kernel is written once on these eight
// logical lanes and built for 512-, 256- and 128-bit vectors: every build puts
// the same values in the same lanes and does the same IEEE operations on them,
// so all builds give the same bits. Private to btopt_kit.
//
// Every function here is always inlined into the kernel built for one
// instruction set, so no vector crosses a call: GCC's notes on how vectors
// are passed without AVX do not apply (and are silenced where this is included).
#pragma once

#include <cstdint>
#include <cstring>

#define KIT_INLINE [[gnu::always_inline]] inline

namespace btopt::kit::detail::simd {

template <int W>
struct Native;
template <>
struct Native<8> {
    using type = double __attribute__((vector_size(64)));
    using mask = std::int64_t __attribute__((vector_size(64)));
};
template <>
struct Native<4> {
    using type = double __attribute__((vector_size(32)));
    using mask = std::int64_t __attribute__((vector_size(32)));
};
template <>
struct Native<2> {
    using type = double __attribute__((vector_size(16)));
    using mask = std::int64_t __attribute__((vector_size(16)));
};

// Bytes in a machine vector of W doubles. (GCC ignores a vector_size that
// depends on a template parameter, hence the specialisations.)
template <int W>
struct NativeBytes;
template <>
struct NativeBytes<8> {
    using type = std::int8_t __attribute__((vector_size(64)));
};
template <>
struct NativeBytes<4> {
    using type = std::int8_t __attribute__((vector_size(32)));
};
template <>
struct NativeBytes<2> {
    using type = std::int8_t __attribute__((vector_size(16)));
};

template <int W>
struct Pack {
    static constexpr int kParts = 8 / W;
    using Vector = typename Native<W>::type;
    Vector part[kParts];
};

// Loops over parts, lanes and blocks are unrolled, also at -O2, so that GCC
// keeps every vector in a register instead of indexing arrays on the stack.
#define KIT_UNROLL _Pragma("GCC unroll 16")
#define KIT_EACH_PART(W) KIT_UNROLL for (int k = 0; k < Pack<W>::kParts; ++k)

template <int W>
KIT_INLINE Pack<W> splat(double x) {
    Pack<W> p;
    KIT_EACH_PART(W) p.part[k] = x - typename Pack<W>::Vector{};  // x - 0 == x, also for -0
    return p;
}

template <int W>
KIT_INLINE Pack<W> load(const double* from) {
    Pack<W> p;
    KIT_EACH_PART(W) std::memcpy(&p.part[k], from + k * W, sizeof p.part[k]);
    return p;
}

template <int W>
KIT_INLINE void store(double* to, const Pack<W>& p) {
    KIT_EACH_PART(W) std::memcpy(to + k * W, &p.part[k], sizeof p.part[k]);
}

template <int W>
KIT_INLINE Pack<W> operator+(const Pack<W>& x, const Pack<W>& b) {
    Pack<W> a = x;
    KIT_EACH_PART(W) a.part[k] += b.part[k];
    return a;
}

template <int W>
KIT_INLINE Pack<W> operator-(const Pack<W>& x, const Pack<W>& b) {
    Pack<W> a = x;
    KIT_EACH_PART(W) a.part[k] -= b.part[k];
    return a;
}

template <int W>
KIT_INLINE Pack<W> operator*(const Pack<W>& x, const Pack<W>& b) {
    Pack<W> a = x;
    KIT_EACH_PART(W) a.part[k] *= b.part[k];
    return a;
}

template <int W>
KIT_INLINE Pack<W>& operator+=(Pack<W>& a, const Pack<W>& b) { return a = a + b; }

template <int W>
KIT_INLINE Pack<W>& operator*=(Pack<W>& a, const Pack<W>& b) { return a = a * b; }

// a < b ? a : b, lane by lane (what minpd does).
template <int W>
KIT_INLINE Pack<W> lower(const Pack<W>& x, const Pack<W>& b) {
    Pack<W> a = x;
    KIT_EACH_PART(W) a.part[k] = a.part[k] < b.part[k] ? a.part[k] : b.part[k];
    return a;
}

template <int W>
KIT_INLINE Pack<W> absolute(const Pack<W>& x) {
    Pack<W> a = x;
    const typename Pack<W>::Vector zero{};
    KIT_EACH_PART(W) a.part[k] = a.part[k] < zero ? -a.part[k] : a.part[k];
    return a;
}

template <int W>
KIT_INLINE double lane(const Pack<W>& p, int j) { return p.part[j / W][j % W]; }

// The sum of the lanes of four accumulators, in one fixed order.
template <int W>
KIT_INLINE double total(const Pack<W> (&acc)[4]) {
    const Pack<W> v = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    return ((lane(v, 0) + lane(v, 1)) + (lane(v, 2) + lane(v, 3))) +
           ((lane(v, 4) + lane(v, 5)) + (lane(v, 6) + lane(v, 7)));
}

// Transposes a W x W block of machine vectors in place.
template <int W>
KIT_INLINE void transpose_block(typename Native<W>::type (&b)[W]) {
    using M = typename Native<W>::mask;
    if constexpr (W == 2) {
        const auto lo = __builtin_shuffle(b[0], b[1], M{0, 2});
        b[1] = __builtin_shuffle(b[0], b[1], M{1, 3});
        b[0] = lo;
    } else if constexpr (W == 4) {
        const auto t0 = __builtin_shuffle(b[0], b[1], M{0, 4, 2, 6}), t1 = __builtin_shuffle(b[0], b[1], M{1, 5, 3, 7});
        const auto t2 = __builtin_shuffle(b[2], b[3], M{0, 4, 2, 6}), t3 = __builtin_shuffle(b[2], b[3], M{1, 5, 3, 7});
        b[0] = __builtin_shuffle(t0, t2, M{0, 1, 4, 5});
        b[1] = __builtin_shuffle(t1, t3, M{0, 1, 4, 5});
        b[2] = __builtin_shuffle(t0, t2, M{2, 3, 6, 7});
        b[3] = __builtin_shuffle(t1, t3, M{2, 3, 6, 7});
    } else {
        typename Native<8>::type a[8], c[8];
        KIT_UNROLL for (int k = 0; k < 8; k += 2) {  // pairs of rows interleaved
            a[k] = __builtin_shuffle(b[k], b[k + 1], M{0, 8, 2, 10, 4, 12, 6, 14});
            a[k + 1] = __builtin_shuffle(b[k], b[k + 1], M{1, 9, 3, 11, 5, 13, 7, 15});
        }
        KIT_UNROLL for (int k = 0; k < 8; k += 4) {  // then pairs of pairs
            c[k] = __builtin_shuffle(a[k], a[k + 2], M{0, 1, 8, 9, 4, 5, 12, 13});
            c[k + 1] = __builtin_shuffle(a[k], a[k + 2], M{2, 3, 10, 11, 6, 7, 14, 15});
            c[k + 2] = __builtin_shuffle(a[k + 1], a[k + 3], M{0, 1, 8, 9, 4, 5, 12, 13});
            c[k + 3] = __builtin_shuffle(a[k + 1], a[k + 3], M{2, 3, 10, 11, 6, 7, 14, 15});
        }
        // c[0..3] hold columns 0, 2, 1, 3 of rows 0-3 (and 4, 6, 5, 7 in their upper halves); c[4..7] of rows 4-7.
        constexpr int column[4] = {0, 2, 1, 3};
        KIT_UNROLL for (int k = 0; k < 4; ++k) {
            b[column[k]] = __builtin_shuffle(c[k], c[k + 4], M{0, 1, 2, 3, 8, 9, 10, 11});
            b[column[k] + 4] = __builtin_shuffle(c[k], c[k + 4], M{4, 5, 6, 7, 12, 13, 14, 15});
        }
    }
}

// Rows in, columns out: lane j of m[i] becomes lane i of m[j].
template <int W>
KIT_INLINE void transpose(Pack<W> (&m)[8]) {
    constexpr int blocks = Pack<W>::kParts;
    Pack<W> out[8];
    KIT_UNROLL for (int row = 0; row < blocks; ++row)
        KIT_UNROLL for (int col = 0; col < blocks; ++col) {
            typename Native<W>::type b[W];
            KIT_UNROLL for (int i = 0; i < W; ++i) b[i] = m[row * W + i].part[col];
            transpose_block<W>(b);
            KIT_UNROLL for (int i = 0; i < W; ++i) out[col * W + i].part[row] = b[i];
        }
    KIT_UNROLL for (int i = 0; i < 8; ++i) m[i] = out[i];
}

}  // namespace btopt::kit::detail::simd
