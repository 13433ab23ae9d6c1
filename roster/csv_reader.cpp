#include "roster/csv_reader.hpp"

#include <cstdint>
#include <optional>
#include <utility>

#include "roster/error.hpp"
#include "roster/text.hpp"

namespace rosterd::roster {
namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

bool is_line_end(char c) {
  return c == '\r' || c == '\n';
}
bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

std::size_t bom_length(std::string_view text) {
  return text.substr(0, utf8_bom.size()) == utf8_bom ? utf8_bom.size() : 0;
}

// "line L, column C" of byte `offset`, the column counted in characters. Errors are rare, so
// scanning again from the start beats tracking columns for every byte of every good file.
// Bytes before `offset` were validated as UTF-8 already, so counting the bytes that are not
// continuation bytes (10xxxxxx) counts characters.
std::string locate(std::string_view text, std::size_t offset) {
  std::size_t line_start = bom_length(text);
  int line = 1;
  for (std::size_t i = line_start; i < offset; ++i) {
    if (is_line_end(text[i])) {
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
        ++i;
      }
      ++line;
      line_start = i + 1;
    }
  }
  int column = 1;
  for (std::size_t i = line_start; i < offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

base::failure fail_at(errc code, std::string_view text, std::size_t offset, std::string_view what) {
  return base::reject(code, locate(text, offset) + ": " + std::string(what));
}

// A hint for the common ways a non-CSV file reaches us: a workbook instead of its CSV export,
// or UTF-16 text (what some "Unicode text" exports write).
std::string encoding_hint(std::string_view text) {
  if (text.starts_with("PK\x03\x04")) {
    return "this looks like an Excel workbook (.xlsx), not a CSV file; export it as \"CSV UTF-8\"";
  }
  if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF")) {
    return "this file is UTF-16 text; save it as \"CSV UTF-8\"";
  }
  return "save the file as \"CSV UTF-8\"";
}

std::string hex_byte(unsigned char b) {
  constexpr std::string_view digits = "0123456789ABCDEF";
  return std::string("0x") + digits[b >> 4U] + digits[b & 0x0FU];
}

// Checked before parsing, so the parser can treat every byte as part of valid text.
std::optional<base::failure> check_encoding(std::string_view text) {
  for (std::size_t i = bom_length(text); i < text.size();) {
    if (text[i] == '\0') {
      return fail_at(errc::nul_byte, text, i,
                     "NUL byte (0x00), so this is not a text CSV file; " + encoding_hint(text));
    }
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      return fail_at(errc::invalid_utf8, text, i,
                     "byte " + hex_byte(static_cast<unsigned char>(text[i])) +
                         " is not valid UTF-8; " + encoding_hint(text));
    }
    i += length;
  }
  return std::nullopt;
}

// Walks the text once, record by record. Members hold the cursor so the field and record
// steps stay short; a reader is used for one call of read_csv only.
class reader {
 public:
  reader(std::string_view text, const csv_limits& limits)
      : text_(text), limits_(limits), pos_(bom_length(text)) {}

  base::result<std::vector<csv_record>> run() {
    std::vector<csv_record> records;
    std::size_t data_rows = 0;
    while (pos_ < text_.size()) {
      if (is_line_end(text_[pos_])) {
        skip_line_end();  // an empty line is not a record
        continue;
      }
      csv_record record;
      if (auto failed = read_record(record)) {
        // Past the row limit we only count, and the count is the more useful message.
        if (data_rows > limits_.max_data_rows) {
          return too_many_rows(data_rows, true);
        }
        return std::move(*failed);
      }
      if (records.empty()) {
        records.push_back(std::move(record));
      } else if (++data_rows <= limits_.max_data_rows) {
        records.push_back(std::move(record));
      }
    }
    if (data_rows > limits_.max_data_rows) {
      return too_many_rows(data_rows, false);
    }
    return records;
  }

 private:
  base::failure too_many_rows(std::size_t seen, bool at_least) const {
    return base::reject(errc::too_many_rows,
                        std::string("the file has ") + (at_least ? "at least " : "") +
                            std::to_string(seen) + " data rows; the limit is " +
                            std::to_string(limits_.max_data_rows) +
                            " (split it into smaller files)");
  }

  void skip_line_end() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
      ++pos_;
    }
    ++pos_;
    ++line_;
  }

  std::optional<base::failure> read_record(csv_record& record) {
    record.line = line_;
    std::size_t cells = 0;
    for (;;) {
      std::string field;
      if (auto failed = read_field(field)) {
        return failed;
      }
      ++cells;
      if (field.size() > limits_.max_field_bytes) {
        return base::reject(errc::field_too_large,
                            "line " + std::to_string(record.line) + ", cell " +
                                std::to_string(cells) + " is " + std::to_string(field.size()) +
                                " bytes; the limit is " + std::to_string(limits_.max_field_bytes) +
                                " bytes per cell");
      }
      // Past the column limit the record is still read to the end, to report its real width.
      if (cells <= limits_.max_columns) {
        record.fields.push_back(std::move(field));
      }
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size()) {
        skip_line_end();
      }
      break;
    }
    if (cells > limits_.max_columns) {
      return base::reject(errc::too_many_columns,
                          "line " + std::to_string(record.line) + " has " + std::to_string(cells) +
                              " cells; the limit is " + std::to_string(limits_.max_columns) +
                              " columns");
    }
    return std::nullopt;
  }

  // Reads one field and leaves pos_ on the ',' or line end after it, or at the end of text.
  std::optional<base::failure> read_field(std::string& field) {
    std::size_t first = pos_;
    while (first < text_.size() && is_blank(text_[first])) {
      ++first;
    }
    if (first < text_.size() && text_[first] == '"') {
      pos_ = first;
      return read_quoted(field);
    }
    const std::size_t end = text_.find_first_of(",\r\n\"", pos_);
    const std::size_t stop = end == std::string_view::npos ? text_.size() : end;
    if (stop < text_.size() && text_[stop] == '"') {
      return fail_at(errc::quote_in_unquoted_field, text_, stop,
                     "a quote inside a cell that does not start with one; put the whole cell in "
                     "quotes and write the inner quote twice (\"\")");
    }
    field.assign(text_.substr(pos_, stop - pos_));
    pos_ = stop;
    return std::nullopt;
  }

  std::optional<base::failure> read_quoted(std::string& field) {
    const std::size_t opening = pos_++;
    for (;;) {
      const std::size_t special = text_.find_first_of("\"\r\n", pos_);
      if (special == std::string_view::npos) {
        return fail_at(errc::unterminated_quote, text_, opening,
                       "the quote that opens this cell is never closed; end the cell with a "
                       "quote (a quote inside a quoted cell is written twice: \"\")");
      }
      field.append(text_.substr(pos_, special - pos_));
      pos_ = special;
      if (text_[pos_] != '"') {
        // A line break inside quotes belongs to the field, and still starts a new physical line.
        const std::size_t from = pos_;
        skip_line_end();
        field.append(text_.substr(from, pos_ - from));
        continue;
      }
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
        field.push_back('"');
        pos_ += 2;
        continue;
      }
      ++pos_;
      break;
    }
    while (pos_ < text_.size() && is_blank(text_[pos_])) {
      ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] != ',' && !is_line_end(text_[pos_])) {
      return fail_at(errc::text_after_closing_quote, text_, pos_,
                     "text after the closing quote of a cell; a quoted cell must end with its "
                     "quote right before the comma or line end (write an inner quote as \"\")");
    }
    return std::nullopt;
  }

  std::string_view text_;
  const csv_limits& limits_;
  std::size_t pos_;
  int line_ = 1;
};

}  // namespace

base::result<std::vector<csv_record>> read_csv(std::string_view text, const csv_limits& limits) {
  if (text.size() > limits.max_file_bytes) {
    return base::reject(errc::file_too_large, "the file is " + std::to_string(text.size()) +
                                                  " bytes; the limit is " +
                                                  std::to_string(limits.max_file_bytes) +
                                                  " bytes (split it into smaller files)");
  }
  if (auto failed = check_encoding(text)) {
    return std::move(*failed);
  }
  return reader(text, limits).run();
}

}  // namespace rosterd::roster
