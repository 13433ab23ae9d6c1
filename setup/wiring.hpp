#pragma once
// Turning the config into each library's own settings, for both front ends (the daemon and
// rosterctl): small translations, each testable on its own.

#include <memory>

#include <spdlog/logger.h>

#include "lifecycle/webhook_dispatcher.hpp"
#include "lifecycle/webhooks.hpp"
#include "notify/relay.hpp"
#include "notify/smtp.hpp"
#include "roster/onboarding_csv.hpp"
#include "roster/password.hpp"
#include "roster/settings.hpp"
#include "roster/sign_in.hpp"
#include "setup/config.hpp"

namespace rosterd::setup {

roster::roster_settings roster_settings_from(const config& c);
roster::onboarding_options onboarding_options_from(const config& c);
roster::session_settings session_settings_from(const config& c);
roster::password_cost password_cost_from(const config& c);
notify::relay_settings relay_settings_from(const config& c);
/// The SMTP sender for [mail]; fails (as a config problem) when the settings contradict each
/// other or the password file cannot be read.
base::result<std::unique_ptr<notify::smtp_sender>> make_smtp_sender(
    const config& c, std::shared_ptr<spdlog::logger> log);
/// [webhooks]: the dispatcher's sender limits, retry window and (test-only) private targets.
lifecycle::webhook_dispatcher_settings webhook_settings_from(const config& c);
/// What a webhook URL may name when an admin stores it ([webhooks] allow_private_targets).
lifecycle::webhook_target_rules webhook_rules_from(const config& c);
/// A refused invitation email marks its invitation 'bounced' on the status board.
notify::relay_hooks invitation_hooks(std::shared_ptr<spdlog::logger> log);

}  // namespace rosterd::setup
