import { join } from 'node:path';
import { openLocalKeyring } from '../../gateway/src/keys/index.js';
import { runKeyManagerContract } from '../support/key-manager-contract.js';
import { useTemporaryDirectory } from '../support/keys-doubles.js';

const directory = useTemporaryDirectory();

runKeyManagerContract('local keyring', () => openLocalKeyring(join(directory(), 'keyring.json'), { create: true }));
