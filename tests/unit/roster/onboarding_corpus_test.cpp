// Every tests/data/csv/NN_name.csv is parsed and its report compared, line for line, with
// NN_name.expected (format in onboarding_report.hpp); an optional NN_name.options sets limits
// and policy. A difference fails with a diff. To regenerate after a deliberate change, run with
// ROSTERD_UPDATE_CORPUS=1 and review the resulting diff of the .expected files before
// committing it.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "roster/error.hpp"
#include "roster/onboarding_csv.hpp"
#include "tests/unit/roster/onboarding_report.hpp"

namespace fs = std::filesystem;
using namespace rosterd::roster;

namespace {

const fs::path corpus_dir = fs::path(ROSTERD_SOURCE_DIR) / "tests" / "data" / "csv";

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

// A line diff (longest common subsequence): "  " same, "- " only expected, "+ " only actual.
std::string line_diff(const std::string& expected, const std::string& actual) {
  const auto a = split_lines(expected);
  const auto b = split_lines(actual);
  std::vector<std::vector<std::size_t>> lcs(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::string out;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      out += "  " + a[i++] + "\n";
      ++j;
    } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out += "- " + a[i++] + "\n";
    } else {
      out += "+ " + b[j++] + "\n";
    }
  }
  return out;
}

std::vector<fs::path> corpus_files(const std::string& extension) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(corpus_dir)) {
    if (entry.path().extension() == extension) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("each corpus CSV's report matches its expected file exactly", "[roster]") {
  const bool update = std::getenv("ROSTERD_UPDATE_CORPUS") != nullptr;
  const auto files = corpus_files(".csv");
  REQUIRE(files.size() >= 30);
  for (const auto& csv : files) {
    DYNAMIC_SECTION(csv.filename().string()) {
      auto options_path = csv;
      options_path.replace_extension(".options");
      const onboarding_options options = fs::exists(options_path)
                                             ? testing::parse_options(read_bytes(options_path))
                                             : onboarding_options{};
      const std::string actual =
          testing::render_report(parse_onboarding_csv(read_bytes(csv), options));
      auto expected_path = csv;
      expected_path.replace_extension(".expected");
      if (update) {
        std::ofstream(expected_path, std::ios::binary) << actual;
        WARN("rewrote " << expected_path.filename().string());
      }
      REQUIRE(fs::exists(expected_path));
      const std::string expected = read_bytes(expected_path);
      INFO("diff (- expected, + actual):\n" << line_diff(expected, actual));
      CHECK(expected == actual);
    }
  }
}

TEST_CASE("every corpus expected or options file belongs to a CSV file", "[roster]") {
  for (const char* extension : {".expected", ".options"}) {
    for (auto path : corpus_files(extension)) {
      INFO(path.filename().string());
      CHECK(fs::exists(path.replace_extension(".csv")));
    }
  }
}

TEST_CASE("the corpus covers every issue code and every file-level failure", "[roster]") {
  std::set<std::string> seen;
  for (const auto& path : corpus_files(".expected")) {
    std::istringstream in(read_bytes(path));
    for (std::string word; in >> word;) {
      seen.insert(word);
    }
  }
  for (const std::string_view code :
       {issue_code::missing_name, issue_code::invalid_name, issue_code::missing_email,
        issue_code::invalid_email, issue_code::duplicate_creator_email, issue_code::missing_yes_no,
        issue_code::invalid_yes_no, issue_code::team_email_is_creator, issue_code::extra_cells,
        issue_code::likely_domain_typo, issue_code::duplicate_team_email,
        issue_code::unknown_column, issue_code::no_data_rows}) {
    INFO(code);
    CHECK(seen.count(std::string(code)) == 1);
  }
  for (int value = 1; value < static_cast<int>(errc::invalid_email); ++value) {
    const std::string name(errc_name(static_cast<errc>(value)));
    INFO(name);
    CHECK(seen.count(name) == 1);
  }
}
