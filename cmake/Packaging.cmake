# Install rules and the Debian package (docs/operating.md).
#
# `cmake --install build` puts the program, its man pages and shell
# completions under the prefix (default /usr/local), the systemd unit in
# <prefix>/lib/systemd/system (/lib/systemd/system for prefix /usr, as
# Debian 12 ships units), and the documented example configuration in
# /etc/nsradar/nsradar.conf unless one is there already: an operator's
# edited file is never overwritten.
#
# `cpack -G DEB` (in the build directory) builds nsradar_VERSION_ARCH.deb
# from the same rules with prefix /usr. CPack rather than a debian/ folder:
# the install rules above are the single description of what goes where
# (a debian/ folder would repeat them in dh's terms), and the package is
# made in seconds from the build CI already has, so the package test runs
# on every CI run; dpkg-buildpackage would rebuild the whole project.
# The maintainer scripts (packaging/debian/) create the system user and the
# API key file and never start or enable the service.
include(GNUInstallDirs)

set(NSRADAR_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)
set(NSRADAR_DOC_DIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/nsradar)

# The unit names the installed binary, so it is written at install time,
# when the prefix (the package's /usr, or --prefix) is known.
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(_unit_dir /lib/systemd/system)
  else()
    set(_unit_dir \"\${CMAKE_INSTALL_PREFIX}/lib/systemd/system\")
  endif()
  set(NSRADAR_BIN \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/nsradar\")
  configure_file(\"${NSRADAR_PACKAGING_DIR}/nsradar.service.in\"
                 \"${PROJECT_BINARY_DIR}/packaging/nsradar.service\" @ONLY)
  file(INSTALL DESTINATION \"\${_unit_dir}\" TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
       FILES \"${PROJECT_BINARY_DIR}/packaging/nsradar.service\")
  if(NOT EXISTS \"\$ENV{DESTDIR}/etc/nsradar/nsradar.conf\")
    file(INSTALL DESTINATION /etc/nsradar TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
         FILES \"${NSRADAR_PACKAGING_DIR}/nsradar.conf\")
  endif()
")
install(FILES ${NSRADAR_PACKAGING_DIR}/capture.conf ${NSRADAR_PACKAGING_DIR}/grafana-dashboard.json
              ${NSRADAR_PACKAGING_DIR}/prometheus-rules.yml
        DESTINATION ${NSRADAR_DOC_DIR}/examples)
install(FILES ${PROJECT_SOURCE_DIR}/docs/operating.md ${NSRADAR_PACKAGING_DIR}/debian/copyright
        DESTINATION ${NSRADAR_DOC_DIR})
# A native package (no Debian revision): the changelog is changelog.gz,
# compressed reproducibly (gzip -n).
add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/packaging/changelog.gz
                   COMMAND gzip -9nc ${NSRADAR_PACKAGING_DIR}/debian/changelog >
                           ${PROJECT_BINARY_DIR}/packaging/changelog.gz
                   DEPENDS ${NSRADAR_PACKAGING_DIR}/debian/changelog VERBATIM)
add_custom_target(nsradar_changelog ALL DEPENDS ${PROJECT_BINARY_DIR}/packaging/changelog.gz)
install(FILES ${PROJECT_BINARY_DIR}/packaging/changelog.gz DESTINATION ${NSRADAR_DOC_DIR})
install(FILES ${NSRADAR_PACKAGING_DIR}/debian/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides
        RENAME nsradar)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME nsradar)
set(CPACK_PACKAGE_VENDOR "nsradar")
set(CPACK_PACKAGE_CONTACT "nsradar maintainers <nsradar@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "DNS tunneling detector with a reverse name-server index")
set(CPACK_PACKAGE_DESCRIPTION
    "nsradar reads what DNS resolvers emit (dnstap, captures, logs), detects\nDNS tunneling and exfiltration per registered domain, checks suspicious\ndomains against a reverse name-server index, and writes a Response Policy\nZone that BIND, Unbound and PowerDNS enforce. An HTTP API answers\nReverse NS API queries and exposes Prometheus metrics.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The unit and /etc are absolute destinations: installed under DESTDIR,
# with the prefix /usr.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # library packages from dpkg-shlibdeps
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, publicsuffix")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "unbound | bind9 | pdns-recursor, prometheus")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${NSRADAR_PACKAGING_DIR}/debian/conffiles ${NSRADAR_PACKAGING_DIR}/debian/postinst
    ${NSRADAR_PACKAGING_DIR}/debian/prerm ${NSRADAR_PACKAGING_DIR}/debian/postrm)
include(CPack)
