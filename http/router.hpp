#pragma once
// Maps (method, path) to a handler. Patterns are literal segments and `{name}` parameters.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "http/types.hpp"

namespace rosterd::http {

/// A registered route, as listed for documentation and the authorization matrix.
struct route_info {
  verb method;
  std::string pattern;
};

class router {
 public:
  /// Registers `h` for `method` on `pattern` ("/v1/creators/{id}"). Registering the same
  /// method and pattern twice is a wiring bug and throws std::logic_error.
  void add(verb method, std::string pattern, handler h);

  struct found {
    const handler* target;
    std::string_view pattern;
    route_params params;
  };
  struct method_not_allowed {
    std::string allow;  ///< value for the Allow header, e.g. "GET, HEAD"
  };
  struct not_found {};
  using lookup = std::variant<found, method_not_allowed, not_found>;

  /// Finds the route for a raw (still percent-encoded) path; parameters come back decoded.
  /// HEAD falls back to GET. A malformed escape is not_found (the server rejects it earlier).
  [[nodiscard]] lookup find(verb method, std::string_view raw_path) const;

  [[nodiscard]] std::vector<route_info> routes() const;

 private:
  struct entry {
    verb method;
    std::string pattern;
    std::vector<std::string> segments;
    handler target;
  };
  std::vector<entry> entries_;
};

/// Splits "/a/b/" into {"a","b",""}; the leading slash is required by HTTP origin-form.
std::vector<std::string_view> split_path(std::string_view path);

/// Percent-decodes one path segment or query component. Returns nullopt on a malformed escape
/// or an encoded NUL. With `plus_as_space`, '+' decodes to ' ' (form/query encoding).
std::optional<std::string> percent_decode(std::string_view in, bool plus_as_space = false);

}  // namespace rosterd::http
