#pragma once
// An RFC 4180 reader for files people export from spreadsheets or edit by hand. It is strict
// where a guess could silently shift data between columns (stray quotes, unclosed quotes) and
// lenient where nothing can be lost (line-end style, a UTF-8 BOM, blank lines, spaces around a
// quoted cell). Every error names the physical line and column, because the person fixing the
// file looks at it in a text editor or spreadsheet, not at byte offsets.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"

namespace rosterd::roster {

/// Bounds on what read_csv accepts. They keep a hostile or mistaken upload (a database dump, a
/// binary file) from costing more than a few megabytes of memory and a few milliseconds.
struct csv_limits {
  std::size_t max_file_bytes = 5 * 1024 * 1024;  // the whole input, BOM included
  std::size_t max_data_rows = 20'000;            // records after the first (the header)
  std::size_t max_columns = 64;                  // fields in any one record
  std::size_t max_field_bytes = 8 * 1024;        // one field after unquoting
};

/// One record: its fields after unquoting, and the 1-based physical line it starts on (the
/// header counts; a quoted field with line breaks makes the next record start further down).
struct csv_record {
  int line = 0;
  std::vector<std::string> fields;
};

/// Parses `text` into records, the header first.
///
/// Accepted: fields separated by ','; records ended by CRLF, LF or a lone CR (mixed is fine);
/// an optional UTF-8 BOM; a last record without a line end. A field that starts with '"' is
/// quoted: it may hold ',', '"' written as '""', and line breaks (kept verbatim). Spaces and
/// tabs before an opening or after a closing quote are dropped; in unquoted fields they are
/// kept, so trimming is the caller's choice. Empty lines anywhere (in particular at the end)
/// are not records. The text must be UTF-8 without NUL bytes.
///
/// Fails with roster::errc and a detail of the form "line L, column C: what, and how to fix
/// it" (column counts characters from 1) for: unterminated_quote (located at the opening quote),
/// quote_in_unquoted_field, text_after_closing_quote, invalid_utf8, nul_byte; and, naming the
/// limit and what was seen: file_too_large, too_many_rows, too_many_columns, field_too_large.
/// An input with no records (empty, or only a BOM and blank lines) is not a failure.
[[nodiscard]] base::result<std::vector<csv_record>> read_csv(std::string_view text,
                                                             const csv_limits& limits = {});

}  // namespace rosterd::roster
