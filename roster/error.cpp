#include "roster/error.hpp"

#include <string>

namespace rosterd::roster {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "roster"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::file_too_large:
        return "the file is too large";
      case errc::too_many_rows:
        return "the file has too many rows";
      case errc::too_many_columns:
        return "a row has too many columns";
      case errc::field_too_large:
        return "a cell is too large";
      case errc::unterminated_quote:
        return "a quoted cell is never closed";
      case errc::quote_in_unquoted_field:
        return "a quote appears inside an unquoted cell";
      case errc::text_after_closing_quote:
        return "text follows a closing quote";
      case errc::invalid_utf8:
        return "the file is not valid UTF-8";
      case errc::nul_byte:
        return "the file contains a NUL byte";
      case errc::empty_file:
        return "the file is empty";
      case errc::missing_column:
        return "a required column is missing";
      case errc::duplicate_column:
        return "a column appears twice";
      case errc::invalid_email:
        return "invalid email address";
    }
    return "unknown roster error";
  }
};

}  // namespace

const std::error_category& roster_category() noexcept {
  static const category instance;
  return instance;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), roster_category()};
}

std::string_view errc_name(errc e) noexcept {
  switch (e) {
    case errc::file_too_large:
      return "file_too_large";
    case errc::too_many_rows:
      return "too_many_rows";
    case errc::too_many_columns:
      return "too_many_columns";
    case errc::field_too_large:
      return "field_too_large";
    case errc::unterminated_quote:
      return "unterminated_quote";
    case errc::quote_in_unquoted_field:
      return "quote_in_unquoted_field";
    case errc::text_after_closing_quote:
      return "text_after_closing_quote";
    case errc::invalid_utf8:
      return "invalid_utf8";
    case errc::nul_byte:
      return "nul_byte";
    case errc::empty_file:
      return "empty_file";
    case errc::missing_column:
      return "missing_column";
    case errc::duplicate_column:
      return "duplicate_column";
    case errc::invalid_email:
      return "invalid_email";
  }
  return "unknown";
}

}  // namespace rosterd::roster
