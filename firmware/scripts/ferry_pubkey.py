#!/usr/bin/env python3
# Copyright (c) 2025 Ferry contributors
# SPDX-License-Identifier: Apache-2.0
"""Write the DER public key of a PEM key file as a C initializer list.

The firmware compares its SHA-256 with the image's KEYHASH TLV and checks
the signature with it, exactly like MCUboot does with the same key.
"""
import sys

from cryptography.hazmat.primitives import serialization


def main(pem_path: str, out_path: str) -> None:
    with open(pem_path, "rb") as f:
        data = f.read()
    try:
        key = serialization.load_pem_private_key(data, password=None).public_key()
    except ValueError:
        key = serialization.load_pem_public_key(data)
    der = key.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    lines = []
    for i in range(0, len(der), 12):
        lines.append("\t" + " ".join(f"0x{b:02x}," for b in der[i:i + 12]))
    with open(out_path, "w") as f:
        f.write(f"/* Generated from {pem_path}: public key only. */\n")
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: ferry_pubkey.py KEY.pem OUT.inc")
    main(sys.argv[1], sys.argv[2])
