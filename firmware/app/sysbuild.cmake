# Copyright (c) 2025 Ferry contributors
# SPDX-License-Identifier: Apache-2.0
#
# Sysbuild: MCUboot is built with Ferry's bootloader support (bootloader/):
# the RAM-backed flash driver of emulated boards and, when the board has one
# there, its partition overlay and MCUboot settings. The application's own
# board files (boards/) include the same overlay, so both agree on slots.

set(ferry_bootloader_dir ${CMAKE_CURRENT_LIST_DIR}/../../bootloader)
string(REPLACE "/" "_" ferry_board_file "${BOARD}${BOARD_QUALIFIERS}")

if(SB_CONFIG_BOOTLOADER_MCUBOOT)
  set(mcuboot_EXTRA_ZEPHYR_MODULES ${ferry_bootloader_dir} CACHE INTERNAL
      "Ferry bootloader support for MCUboot")
  if(EXISTS ${ferry_bootloader_dir}/boards/${ferry_board_file}.overlay)
    set(mcuboot_EXTRA_DTC_OVERLAY_FILE ${ferry_bootloader_dir}/boards/${ferry_board_file}.overlay
        CACHE INTERNAL "Ferry partition layout for MCUboot")
  endif()
  if(EXISTS ${ferry_bootloader_dir}/mcuboot/${ferry_board_file}.conf)
    set(mcuboot_EXTRA_CONF_FILE ${ferry_bootloader_dir}/mcuboot/${ferry_board_file}.conf
        CACHE INTERNAL "Ferry MCUboot settings for this board")
  endif()
endif()
