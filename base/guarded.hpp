#pragma once
// guarded<T>: shared data that can only be reached while its lock is held.

#include <mutex>
#include <utility>

namespace rosterd::base {

template <class T>
class guarded {
 public:
  template <class... Args>
  explicit guarded(Args&&... args) : value_(std::forward<Args>(args)...) {}

  /// Holds the lock for its lifetime; the value is reachable only through it.
  class holder {
   public:
    holder(std::mutex& m, T& v) : lock_(m), value_(v) {}
    T& operator*() { return value_; }
    T* operator->() { return &value_; }

   private:
    std::unique_lock<std::mutex> lock_;
    T& value_;
  };

  holder lock() { return holder(mutex_, value_); }

 private:
  std::mutex mutex_;
  T value_;
};

}  // namespace rosterd::base
