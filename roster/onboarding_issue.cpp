#include "roster/onboarding_issue.hpp"

namespace rosterd::roster {

std::string_view to_string(issue_severity s) noexcept {
  switch (s) {
    case issue_severity::error:
      return "error";
    case issue_severity::warning:
      return "warning";
  }
  return "unknown";
}

}  // namespace rosterd::roster
