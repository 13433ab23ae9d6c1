#pragma once
// The result vocabulary: fallible calls at I/O boundaries return base::result<T>.

#include <ostream>
#include <string>
#include <system_error>

#include <boost/system/result.hpp>

namespace rosterd::base {

/// Why an operation failed. `code` is the stable, client-safe classification (its message may be
/// shown to callers); `detail` is for operators and logs: it may name files, keys and causes,
/// but never a secret.
struct failure {
  std::error_code code;
  std::string detail;
};

/// Builds a failure from an error enum and an operator-facing detail.
template <class E>
failure fail(E e, std::string detail = {}) {
  return failure{make_error_code(e), std::move(detail)};
}

/// Called by result<T>::value() on an error; found by ADL. Throws std::system_error.
[[noreturn]] void throw_exception_from_error(const failure& f, const boost::source_location& loc);

/// `code: detail`, or just the code's message when there is no detail.
std::string describe(const failure& f);

/// For diagnostics (test output): the detail, or the code's message.
std::ostream& operator<<(std::ostream& os, const failure& f);

template <class T>
using result = boost::system::result<T, failure>;

}  // namespace rosterd::base
