// Trials proposed and not yet handed on, numbered 0, 1, 2, ... in proposal
// order. Their outcomes come back in any order; they leave the window in
// trial order, so whoever hears them (a search, the trial table) hears the
// same sequence for any executor, worker count or host. The coordinator and
// the ask/tell search (search/ask_tell.hpp) both keep one.
#pragma once

#include "ring.hpp"

#include <cstdint>

namespace btopt::internal {

// Entry: anything with a `std::optional<...> outcome` member, set when the
// trial's outcome is in.
template <class Entry>
class TrialWindow {
public:
    bool empty() const { return entries_.empty(); }
    std::size_t size() const { return entries_.size(); }
    // The number the next opened trial gets.
    std::uint64_t next_number() const { return base_ + entries_.size(); }
    // The oldest trial still in the window.
    std::uint64_t front_number() const { return base_; }
    Entry &front() { return entries_.front(); }

    // The slot of trial next_number(), as it was left (moved from, or
    // default-made): the caller sets every field of it.
    Entry &open() { return entries_.push_back_slot(); }

    // Trial n's entry when n is in the window without its outcome; else null.
    Entry *waiting(std::uint64_t n)
    {
        if (n < base_ || n - base_ >= entries_.size())
            return nullptr;
        Entry &entry = entries_[static_cast<std::size_t>(n - base_)];
        return entry.outcome ? nullptr : &entry;
    }
    const Entry *waiting(std::uint64_t n) const { return const_cast<TrialWindow *>(this)->waiting(n); }

    // Drops the front trial (its outcome handed on).
    void pop()
    {
        entries_.drop_front();
        ++base_;
    }

    // Hands take(number, entry) every trial at the front whose outcome is in,
    // in trial order, and drops it.
    template <class Take>
    void release_ready(Take &&take)
    {
        while (!entries_.empty() && entries_.front().outcome) {
            take(base_, entries_.front());
            pop();
        }
    }

private:
    Ring<Entry> entries_;
    std::uint64_t base_ = 0;
};

} // namespace btopt::internal
