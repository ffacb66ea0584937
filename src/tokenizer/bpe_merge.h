// The merge loop that every BPE variant shares: a word starts as a list of symbols, and the best
// adjacent pair (lowest priority value, then leftmost) is merged until no pair can be. A priority
// queue keeps this O(n log n) for long words; entries made stale by earlier merges are skipped.
#pragma once

#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

namespace massact {

struct BpeSymbol {
  int32_t id;      // -1: not (yet) a token of the vocabulary
  uint32_t begin;  // bytes of the word this symbol covers
  uint32_t length;
  int32_t prev = -1;
  int32_t next = -1;
};

struct BpeMerge {
  double priority;  // lower merges first: a merge rank, or minus a SentencePiece score
  int32_t id;       // the merged token
};

// Links `symbols` into a list, merges them with `find_merge(left, right) -> optional<BpeMerge>`,
// and returns the surviving symbols in order.
template <class FindMerge>
std::vector<BpeSymbol> merge_symbols(std::vector<BpeSymbol> symbols, FindMerge&& find_merge) {
  struct Candidate {
    double priority;
    int32_t left, right;
    uint32_t length;  // left + right when queued: a different sum means a neighbour changed
    int32_t id;
    bool operator<(const Candidate& o) const {  // std::priority_queue pops the largest
      return priority != o.priority ? priority > o.priority : left > o.left;
    }
  };
  const int32_t n = int32_t(symbols.size());
  for (int32_t i = 0; i < n; ++i) {
    symbols[size_t(i)].prev = i - 1;
    symbols[size_t(i)].next = i + 1 < n ? i + 1 : -1;
  }
  std::priority_queue<Candidate> queue;
  auto consider = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const BpeSymbol& l = symbols[size_t(left)];
    const BpeSymbol& r = symbols[size_t(right)];
    if (std::optional<BpeMerge> m = find_merge(l, r))
      queue.push({m->priority, left, right, l.length + r.length, m->id});
  };
  for (int32_t i = 0; i + 1 < n; ++i) consider(i, i + 1);
  while (!queue.empty()) {
    Candidate c = queue.top();
    queue.pop();
    BpeSymbol& l = symbols[size_t(c.left)];
    BpeSymbol& r = symbols[size_t(c.right)];
    if (l.length == 0 || r.length == 0 || l.next != c.right || l.length + r.length != c.length)
      continue;
    l.id = c.id;
    l.length += r.length;
    l.next = r.next;
    if (r.next >= 0) symbols[size_t(r.next)].prev = c.left;
    r.length = 0;
    consider(l.prev, c.left);
    consider(c.left, l.next);
  }
  std::vector<BpeSymbol> out;
  for (int32_t i = n > 0 ? 0 : -1; i >= 0; i = symbols[size_t(i)].next)
    out.push_back(symbols[size_t(i)]);
  return out;
}

}  // namespace massact
