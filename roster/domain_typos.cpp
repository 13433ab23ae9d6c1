#include "roster/domain_typos.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "base/edit_distance.hpp"

namespace rosterd::roster {
namespace {

// Misspellings seen in sign-up forms, each with the domain meant. Kept to whole domains that
// no real mail provider uses.
constexpr auto typos = std::to_array<std::pair<std::string_view, std::string_view>>({
    {"gmial.com", "gmail.com"},
    {"gmai.com", "gmail.com"},
    {"gmal.com", "gmail.com"},
    {"gamil.com", "gmail.com"},
    {"gnail.com", "gmail.com"},
    {"gmaill.com", "gmail.com"},
    {"gmil.com", "gmail.com"},
    {"gmsil.com", "gmail.com"},
    {"gmaik.com", "gmail.com"},
    {"gmali.com", "gmail.com"},
    {"gmail.con", "gmail.com"},
    {"gmail.co", "gmail.com"},
    {"gmail.cm", "gmail.com"},
    {"gmail.om", "gmail.com"},
    {"gmail.cmo", "gmail.com"},
    {"gmail.comm", "gmail.com"},
    {"gmail.vom", "gmail.com"},
    {"gmail.xom", "gmail.com"},
    {"gmail.cpm", "gmail.com"},
    {"hotmial.com", "hotmail.com"},
    {"hotmal.com", "hotmail.com"},
    {"hotmai.com", "hotmail.com"},
    {"hotmil.com", "hotmail.com"},
    {"homail.com", "hotmail.com"},
    {"hotnail.com", "hotmail.com"},
    {"hotamil.com", "hotmail.com"},
    {"hotmaill.com", "hotmail.com"},
    {"hotmail.con", "hotmail.com"},
    {"hotmail.co", "hotmail.com"},
    {"hotmail.cm", "hotmail.com"},
    {"yaho.com", "yahoo.com"},
    {"yahooo.com", "yahoo.com"},
    {"yhoo.com", "yahoo.com"},
    {"yaoo.com", "yahoo.com"},
    {"yahho.com", "yahoo.com"},
    {"tahoo.com", "yahoo.com"},
    {"yahoo.con", "yahoo.com"},
    {"yahoo.co", "yahoo.com"},
    {"yahoo.cm", "yahoo.com"},
    {"outlok.com", "outlook.com"},
    {"outloo.com", "outlook.com"},
    {"outllok.com", "outlook.com"},
    {"oulook.com", "outlook.com"},
    {"otlook.com", "outlook.com"},
    {"outlook.con", "outlook.com"},
    {"outlook.co", "outlook.com"},
    {"outlool.com", "outlook.com"},
    {"iclod.com", "icloud.com"},
    {"icoud.com", "icloud.com"},
    {"iclould.com", "icloud.com"},
    {"icluod.com", "icloud.com"},
    {"icloud.con", "icloud.com"},
    {"icloud.co", "icloud.com"},
    {"iclound.com", "icloud.com"},
    {"aol.con", "aol.com"},
    {"aoll.com", "aol.com"},
    {"live.con", "live.com"},
    {"protonmail.con", "protonmail.com"},
    {"protonmial.com", "protonmail.com"},
    {"protonmai.com", "protonmail.com"},
    {"googlemail.con", "googlemail.com"},
    {"gooogle.com", "google.com"},
});

constexpr auto providers = std::to_array<std::string_view>({
    "gmail.com",     "googlemail.com", "yahoo.com", "yahoo.co.uk", "ymail.com",      "hotmail.com",
    "hotmail.co.uk", "outlook.com",    "live.com",  "live.co.uk",  "msn.com",        "icloud.com",
    "me.com",        "mac.com",        "aol.com",   "proton.me",   "protonmail.com", "pm.me",
    "gmx.com",       "gmx.net",        "gmx.de",    "mail.com",    "zoho.com",       "yandex.com",
    "fastmail.com",  "hey.com",        "web.de",    "google.com",
});

}  // namespace

std::string_view known_domain_typo(std::string_view domain) noexcept {
  for (const auto& [typo, meant] : typos) {
    if (typo == domain) {
      return meant;
    }
  }
  return {};
}

bool is_common_provider(std::string_view domain) noexcept {
  return std::find(providers.begin(), providers.end(), domain) != providers.end();
}

std::optional<domain_suggestion> likely_meant_domain(std::string_view domain,
                                                     std::span<const domain_use> usual,
                                                     std::size_t max_edits) {
  if (is_common_provider(domain)) {
    return std::nullopt;
  }
  std::optional<domain_suggestion> best;
  for (const auto& candidate : usual) {
    if (candidate.domain == domain) {
      return std::nullopt;
    }
    const std::size_t edits = base::edit_distance(domain, candidate.domain, max_edits);
    if (edits == 0 || edits > max_edits) {
      continue;
    }
    const bool better =
        !best || edits < best->edits ||
        (edits == best->edits &&
         (candidate.addresses > best->addresses ||
          (candidate.addresses == best->addresses && candidate.domain < best->domain)));
    if (better) {
      best = domain_suggestion{candidate.domain, candidate.addresses, edits};
    }
  }
  return best;
}

}  // namespace rosterd::roster
