#pragma once
// Rendered answers of the expensive reads (an agent's roster status: two aggregate queries and
// a few hundred rows turned into JSON), kept while nothing could have changed them. An answer
// is reused only when no write of this process has changed the tables it was read from since
// (the caller passes their store::changes_to count as the generation), it is younger than max_age
// by the steady clock, and the request's wall-clock now is within max_age of the one it was
// rendered for (answers that depend on now, "due within N days", and writes by other processes such
// as rosterctl are at most max_age stale). Bounded in bytes: when full, expired answers go first,
// then everything.
//
// One render at a time per key: when an answer is missing or no longer holds, the first request
// renders it and the others wait for that render instead of all running the same queries at
// once; and a kept answer past half its age is rendered again by one request while the others
// are still answered from it, so a steady load never sees every request miss at the same
// moment.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rosterd::edge::api {

/// A rendered answer as sent: its text, and the same gzipped for clients that accept it.
struct kept_answer {
  std::string text;
  std::string gzipped;
  [[nodiscard]] std::size_t bytes() const noexcept { return text.size() + gzipped.size(); }
};

class answer_cache {
 public:
  using steady_clock_fn = std::function<std::chrono::steady_clock::time_point()>;

  struct settings {
    std::size_t max_bytes = std::size_t{32} << 20;
    std::chrono::milliseconds max_age{1000};
    /// How long others wait for a claimed render before rendering themselves.
    std::chrono::milliseconds render_wait{250};
    /// The clock that ages answers (tests move it); steady_clock::now when empty.
    steady_clock_fn steady_now;
  };

  answer_cache() : answer_cache(settings{}) {}
  explicit answer_cache(settings s);
  answer_cache(const answer_cache&) = delete;
  answer_cache& operator=(const answer_cache&) = delete;

  enum class verdict {
    use,     ///< send `body`
    render,  ///< render the answer, then keep() it (or give_up() when that failed)
    wait,    ///< another request is rendering it: look again in a moment
  };
  struct lookup {
    verdict what = verdict::render;
    std::shared_ptr<const kept_answer> body;  ///< set for verdict::use
  };

  /// What a request at `now` with the store at `generation` (read before the request's own
  /// reads) should do for `key`. A render verdict is a claim: until it is kept, given up or
  /// older than render_wait, other requests for the key wait. Thread-safe.
  [[nodiscard]] lookup look(std::string_view key, std::uint64_t generation,
                            std::chrono::system_clock::time_point now);

  /// Keeps `body` under `key`, rendered from reads that started at `generation` for `now`, and
  /// ends the render claim. An answer bigger than a quarter of max_bytes is not kept.
  void keep(std::string key, std::uint64_t generation, std::chrono::system_clock::time_point now,
            std::shared_ptr<const kept_answer> body);
  /// Ends a render claim without an answer (the render failed): the next request renders.
  void give_up(std::string_view key);

  /// Answers kept now and their bytes (for tests and metrics).
  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] std::size_t bytes() const;

 private:
  struct entry {
    std::uint64_t generation = 0;
    std::chrono::steady_clock::time_point kept_at;
    std::chrono::system_clock::time_point rendered_for;
    std::shared_ptr<const kept_answer> body;  ///< null while the first render runs
    std::optional<std::chrono::steady_clock::time_point> rendering_since;
    std::uint64_t rendering_generation = 0;
  };

  [[nodiscard]] std::chrono::steady_clock::time_point steady_now() const;
  [[nodiscard]] bool claim_live(const entry& e) const;
  [[nodiscard]] bool holds(const entry& e, std::uint64_t generation,
                           std::chrono::system_clock::time_point now) const;
  void make_room(std::size_t needed, std::uint64_t generation,
                 std::chrono::system_clock::time_point now);

  settings settings_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;  // guarded by mutex_
  std::size_t bytes_ = 0;                           // guarded by mutex_
};

}  // namespace rosterd::edge::api
