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
      case errc::ambiguous_column:
        return "a column heading could mean two columns";
      case errc::invalid_email:
        return "invalid email address";
      case errc::not_found:
        return "not found";
      case errc::forbidden:
        return "not allowed for this role";
      case errc::conflict:
        return "conflicts with what is stored";
      case errc::invalid_argument:
        return "invalid value";
      case errc::weak_password:
        return "the password is too weak";
      case errc::invalid_credentials:
        return "wrong email or password";
      case errc::token_invalid:
        return "the link or token is not valid";
      case errc::token_expired:
        return "the link or token has expired";
      case errc::token_used:
        return "the link or token was already used";
      case errc::token_revoked:
        return "the link or token was revoked";
      case errc::token_superseded:
        return "the link was replaced by a newer one";
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
    case errc::ambiguous_column:
      return "ambiguous_column";
    case errc::invalid_email:
      return "invalid_email";
    case errc::not_found:
      return "not_found";
    case errc::forbidden:
      return "forbidden";
    case errc::conflict:
      return "conflict";
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::weak_password:
      return "weak_password";
    case errc::invalid_credentials:
      return "invalid_credentials";
    case errc::token_invalid:
      return "token_invalid";
    case errc::token_expired:
      return "token_expired";
    case errc::token_used:
      return "token_used";
    case errc::token_revoked:
      return "token_revoked";
    case errc::token_superseded:
      return "token_superseded";
  }
  return "unknown";
}

}  // namespace rosterd::roster
