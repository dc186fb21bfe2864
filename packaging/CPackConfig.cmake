# SPDX-License-Identifier: GPL-2.0-or-later
# Debian package for msstun: `cpack -G DEB` in the build folder.
#
# Included from the top CMakeLists.txt after the msstun target. The package
# installs msstun.so into the GLOBAL plugin folder of the Wireshark this build
# compiled against (pkg-config's plugindir + /epan) and depends on the Debian
# package that ships the libwireshark.so the plugin links, bounded to that
# major.minor (a plugin loads only in the Wireshark major.minor it was built for).
#
# The package's files are an install() component "deb" marked EXCLUDE_FROM_ALL,
# so a plain `cmake --install build` still installs only the personal copy
# (~/.local/...) and CPack installs only the "deb" component.

set(MSSTUN_DEB_MAINTAINER "msstun maintainers <maintainers@users.noreply.r-seed-1031bba2.example>"
  CACHE STRING "Maintainer field of the Debian package")
set(MSSTUN_DEB_RELEASE "1" CACHE STRING "Debian revision of the package (the part after the -)")

# ---- where the package puts the plugin ---------------------------------------
# WIRESHARK_PLUGINDIR comes from the top CMakeLists.txt (pkg-config plugindir),
# e.g. /usr/lib/x86_64-linux-gnu/wireshark/plugins/4.0
if(NOT WIRESHARK_PLUGINDIR)
  pkg_get_variable(WIRESHARK_PLUGINDIR wireshark plugindir)
endif()
if(NOT WIRESHARK_PLUGINDIR MATCHES "^/")
  message(FATAL_ERROR "msstun packaging: pkg-config gave no absolute plugindir for wireshark")
endif()
# relative to the package root (CPACK_PACKAGING_INSTALL_PREFIX is "/")
string(REGEX REPLACE "^/+" "" MSSTUN_DEB_PLUGIN_DIR "${WIRESHARK_PLUGINDIR}/epan")

install(TARGETS msstun
  LIBRARY DESTINATION "${MSSTUN_DEB_PLUGIN_DIR}"
  COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES "${CMAKE_CURRENT_SOURCE_DIR}/COPYING"
  DESTINATION "usr/share/doc/msstun" RENAME copyright
  COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES "${CMAKE_CURRENT_SOURCE_DIR}/README.md"
  DESTINATION "usr/share/doc/msstun"
  COMPONENT deb EXCLUDE_FROM_ALL)

# ---- which libwireshark package it needs --------------------------------------
# The libwireshark.so the build links: the full path pkg-config resolved, else
# a search in pkg-config's library folders.
set(_msstun_libws "")
foreach(_l IN LISTS WIRESHARK_LINK_LIBRARIES)
  if(_l MATCHES "/libwireshark\\.so")
    set(_msstun_libws "${_l}")
    break()
  endif()
endforeach()
if(NOT _msstun_libws)
  find_library(_msstun_libws_found NAMES wireshark HINTS ${WIRESHARK_LIBRARY_DIRS})
  set(_msstun_libws "${_msstun_libws_found}")
endif()

set(_msstun_ws_pkg "")
if(_msstun_libws)
  # libwireshark.so is the -dev symlink; the runtime package owns the real file
  get_filename_component(_msstun_libws_real "${_msstun_libws}" REALPATH)
  find_program(MSSTUN_DPKG_QUERY dpkg-query)
  if(MSSTUN_DPKG_QUERY)
    execute_process(COMMAND "${MSSTUN_DPKG_QUERY}" -S "${_msstun_libws_real}"
      OUTPUT_VARIABLE _msstun_owner ERROR_QUIET RESULT_VARIABLE _msstun_rc
      OUTPUT_STRIP_TRAILING_WHITESPACE)
    # "libwireshark16:amd64: /usr/lib/x86_64-linux-gnu/libwireshark.so.16.0.17"
    if(_msstun_rc EQUAL 0 AND _msstun_owner MATCHES "^([a-z0-9][a-z0-9+.-]*)(:[a-z0-9-]+)?: ")
      set(_msstun_ws_pkg "${CMAKE_MATCH_1}")
    endif()
  endif()
  if(NOT _msstun_ws_pkg AND _msstun_libws_real MATCHES "libwireshark\\.so\\.([0-9]+)")
    # not from a Debian package: name it the Debian way after the SONAME
    set(_msstun_ws_pkg "libwireshark${CMAKE_MATCH_1}")
  endif()
endif()
if(NOT _msstun_ws_pkg)
  set(_msstun_ws_pkg "libwireshark-data")
  message(WARNING "msstun packaging: cannot tell which package ships libwireshark.so; "
    "the .deb will depend on ${_msstun_ws_pkg}")
endif()

# 4.0.17 -> (>= 4.0) and (<< 4.1)
string(REGEX MATCH "^([0-9]+)\\.([0-9]+)" _msstun_mm "${WIRESHARK_VERSION}")
set(_msstun_ws_major "${CMAKE_MATCH_1}")
math(EXPR _msstun_ws_next_minor "${CMAKE_MATCH_2} + 1")
set(MSSTUN_DEB_DEPENDS
  "${_msstun_ws_pkg} (>= ${_msstun_mm}), ${_msstun_ws_pkg} (<< ${_msstun_ws_major}.${_msstun_ws_next_minor})")

# ---- CPack -----------------------------------------------------------------------
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "msstun")
set(CPACK_PACKAGE_VENDOR "msstun")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${MSSTUN_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Wireshark plugin for Microsoft STUN/TURN/ICE and RFC 6062")
set(CPACK_PACKAGE_DESCRIPTION
  "msstun decodes STUN, TURN and ICE including Microsoft's extensions ([MS-TURN],
[MS-TURNBWM], [MS-ICE2]) and RFC 6062 TURN-over-TCP data connections, for
troubleshooting media through Skype for Business / Lync / Teams edge servers,
Cisco Meeting Server and Expressway-E. Built for Wireshark ${_msstun_mm};
installed into Wireshark's global plugin folder. License: GPL-2.0-or-later.")
set(CPACK_RESOURCE_FILE_LICENSE "${CMAKE_CURRENT_SOURCE_DIR}/COPYING")
set(CPACK_RESOURCE_FILE_README "${CMAKE_CURRENT_SOURCE_DIR}/README.md")
set(CPACK_PACKAGING_INSTALL_PREFIX "/")
set(CPACK_STRIP_FILES ON)
# only the "deb" component, as one package (not one per component)
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_CURRENT_BINARY_DIR};${PROJECT_NAME};deb;/")
set(CPACK_DEB_COMPONENT_INSTALL OFF)

set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${MSSTUN_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_RELEASE "${MSSTUN_DEB_RELEASE}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # msstun_0.1.0-1_amd64.deb
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${MSSTUN_DEB_DEPENDS}")
set(CPACK_DEBIAN_PACKAGE_ENHANCES "wireshark, tshark")

include(CPack)

message(STATUS "msstun: cpack -G DEB puts the plugin in /${MSSTUN_DEB_PLUGIN_DIR}, "
  "Depends: ${MSSTUN_DEB_DEPENDS}")
