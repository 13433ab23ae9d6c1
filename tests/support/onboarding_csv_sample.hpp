#pragma once
// A generated onboarding CSV shaped like an agency's export: BOM, CRLF, quoted names holding
// commas, two team emails per creator split by ';' and a line break inside a quoted cell.
// Shared by the 10,000-row test and the parse benchmark so both measure the same file.

#include <string>

namespace rosterd::testing {

inline std::string onboarding_csv_sample(int creators) {
  std::string text =
      "\xEF\xBB\xBF"
      "Creator Name,Creator Email,Does this creator have an account?,"
      "Emails of agency team members who require access\r\n";
  for (int i = 0; i < creators; ++i) {
    const std::string n = std::to_string(i);
    text += "\"Creator " + n + ", Jr.\",creator" + n + "@example.com," +
            (i % 2 == 0 ? "Yes" : "no") + ",\"agent" + std::to_string(i % 25) +
            "@agency.example.com;\nagent" + std::to_string((i + 1) % 25) +
            "@agency.example.com\"\r\n";
  }
  return text;
}

}  // namespace rosterd::testing
