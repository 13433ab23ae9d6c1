#pragma once
// The one check every address passes before it goes into an SMTP envelope or a header: no
// line breaks, controls, spaces or angle brackets (which would let a value forge a command or a
// header), one '@' with something on both sides. Deliverability is the mail server's business.

#include <string_view>

#include "base/failure.hpp"

namespace rosterd::notify {

/// Succeeds when `address` is usable as an envelope address; otherwise fails with
/// errc::invalid_address, naming `what` ("recipient", "smtp.from_address") in the detail.
[[nodiscard]] base::result<void> check_address(std::string_view address, std::string_view what);

/// Succeeds when `value` fits on one header line: no CR, LF or other control character except
/// tab. Fails with errc::invalid_header naming `what`.
[[nodiscard]] base::result<void> check_header_text(std::string_view value, std::string_view what);

}  // namespace rosterd::notify
