#pragma once
// The result vocabulary: fallible calls at I/O boundaries return base::result<T>.

#include <ostream>
#include <string>
#include <system_error>

#include <boost/system/result.hpp>

namespace rosterd::base {

/// Why an operation failed, told twice: once for the operator, once for the caller.
///
/// `code` classifies the failure; callers decide on it and the HTTP edge maps it to a problem
/// type. `detail` is the operator's account: it may name files, SQL, ids and what an upstream
/// server answered; it is logged and never sent to a client. `client_message` is the caller's
/// account: set only when the failure is about the caller's own request, it says what to fix
/// and goes out as the problem's `detail`; when it is empty the caller reads the problem
/// type's fixed wording. Neither ever holds a secret.
struct failure {
  std::error_code code;
  std::string detail;
  std::string client_message = {};
};

/// A failure told only to the operator: the caller learns the code's problem type, not
/// `detail`.
template <class E>
failure fail(E e, std::string detail = {}) {
  return failure{make_error_code(e), std::move(detail)};
}

/// A failure about the caller's own request, with `message` for the caller as well as the log:
/// what is wrong and what would be accepted ("email: not a valid address"). Only for fixed
/// wording and what the caller sent or may see; never a path, SQL, another account's data, an
/// upstream answer or a secret (use fail() for those, or the three-argument form).
template <class E>
failure reject(E e, std::string message) {
  auto detail = message;
  return failure{make_error_code(e), std::move(detail), std::move(message)};
}

/// As reject(), with more for the operator than the caller may read.
template <class E>
failure reject(E e, std::string message, std::string detail) {
  return failure{make_error_code(e), std::move(detail), std::move(message)};
}

/// Called by result<T>::value() on an error; found by ADL. Throws std::system_error.
[[noreturn]] void throw_exception_from_error(const failure& f, const boost::source_location& loc);

/// The operator's view: the detail, or the code's message when there is no detail.
std::string describe(const failure& f);

/// For diagnostics (test output): the detail, or the code's message.
std::ostream& operator<<(std::ostream& os, const failure& f);

template <class T>
using result = boost::system::result<T, failure>;

}  // namespace rosterd::base
