// The TLS instantiation of the HTTP session.
#include "http/session_impl.hpp"

namespace rosterd::http {

template class session<tls_stream>;

}  // namespace rosterd::http
