#pragma once
// Lets Catch2 print a base::result in assertions: its failure's detail, which is what a
// reader of a failed test needs. (boost's own operator<< needs a streamable error type.)

#include <catch2/catch.hpp>

#include "base/failure.hpp"

namespace Catch {

template <class T>
struct StringMaker<rosterd::base::result<T>> {
  static std::string convert(const rosterd::base::result<T>& r) {
    return r ? std::string("ok") : "failure: " + rosterd::base::describe(r.error());
  }
};

}  // namespace Catch
