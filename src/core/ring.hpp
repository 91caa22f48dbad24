// A FIFO queue in one growable array: pushing at the back and popping at the
// front reuse the same slots, so a queue that is refilled millions of times
// (tasks, the coordinator's reorder window) allocates only when it grows.
// std::deque allocates a block every few elements as it moves along.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace btopt::internal {

template <class T>
class Ring {
public:
    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    T &front() { return slots_[head_]; }
    const T &front() const { return slots_[head_]; }
    T &operator[](std::size_t i) { return slots_[(head_ + i) & (slots_.size() - 1)]; }
    const T &operator[](std::size_t i) const { return slots_[(head_ + i) & (slots_.size() - 1)]; }

    // A slot at the back, as it was left (moved from, or default-made): the
    // caller fills it in place, so nothing is built twice.
    T &push_back_slot()
    {
        if (size_ == slots_.size())
            grow();
        return (*this)[size_++];
    }

    void push_back(T &&value) { push_back_slot() = std::move(value); }

    // The front element, moved out.
    T pop_front()
    {
        T value = std::move(slots_[head_]);
        head_ = (head_ + 1) & (slots_.size() - 1);
        --size_;
        return value;
    }

    // Drops the front element where it lies (its slot is reused later).
    void drop_front()
    {
        head_ = (head_ + 1) & (slots_.size() - 1);
        --size_;
    }

private:
    void grow()
    {
        std::vector<T> bigger(slots_.empty() ? 16 : 2 * slots_.size()); // a power of two
        for (std::size_t i = 0; i < size_; ++i)
            bigger[i] = std::move((*this)[i]);
        slots_ = std::move(bigger);
        head_ = 0;
    }

    std::vector<T> slots_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

} // namespace btopt::internal
