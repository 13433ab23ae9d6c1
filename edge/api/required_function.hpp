#pragma once
// A callback that must be given. It has no default constructor, so a designated initializer
// that leaves it out does not compile, and an empty std::function passed in throws: a missing
// piece of wiring fails at once instead of doing nothing.

#include <functional>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace rosterd::edge::api {

template <class Signature>
class required_function;

template <class R, class... Args>
class required_function<R(Args...)> {
 public:
  template <class F>
  requires(std::is_invocable_r_v<R, F&, Args...> &&
           !std::is_same_v<std::remove_cvref_t<F>, required_function>)
      required_function(F f)  // NOLINT(google-explicit-constructor): built from lambdas in place
      : fn_(std::move(f)) {
    if (!fn_) {
      throw std::invalid_argument("a required callback was given empty");
    }
  }

  R operator()(Args... args) const { return fn_(std::forward<Args>(args)...); }

 private:
  std::function<R(Args...)> fn_;
};

}  // namespace rosterd::edge::api
