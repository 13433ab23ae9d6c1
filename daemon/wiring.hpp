#pragma once
// Turning the config into the parts' own settings: the composition root's small translations,
// kept out of app.cpp so each is testable.

#include <memory>

#include <spdlog/logger.h>

#include "daemon/api/api_context.hpp"
#include "daemon/config.hpp"
#include "notify/relay.hpp"
#include "notify/smtp.hpp"

namespace rosterd::daemon {

api::api_settings api_settings_from(const config& c);
notify::relay_settings relay_settings_from(const config& c);
/// The SMTP sender for [mail]; fails (as a config problem) when the settings contradict each
/// other or the password file cannot be read.
base::result<std::unique_ptr<notify::smtp_sender>> make_smtp_sender(
    const config& c, std::shared_ptr<spdlog::logger> log);
/// A refused invitation email marks its invitation 'bounced' on the status board.
notify::relay_hooks invitation_hooks(std::shared_ptr<spdlog::logger> log);

}  // namespace rosterd::daemon
