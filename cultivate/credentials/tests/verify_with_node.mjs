// An independent check of Cultivate's credentials with Digital Bazaar's libraries (not our code): reads
// {"contexts": path to contexts.json, "documents": {url: document}, "credentials": [credential, ...]} on stdin
// and prints, for each credential, whether it verifies and, if it has a status entry, the status bit.
// Only the shipped contexts, did:key documents made from the key, and the documents given are loadable.
import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import fs from 'node:fs';

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const contexts = JSON.parse(fs.readFileSync(input.contexts, 'utf8'));
const documents = input.documents || {};

async function didKey(url) {
  const [did] = url.split('#');
  const key = did.slice('did:key:'.length);
  const keyPair = await Ed25519Multikey.from({
    id: `${did}#${key}`, controller: did, publicKeyMultibase: key,
    '@context': 'https://w3id.org/security/multikey/v1', type: 'Multikey',
  });
  const method = await keyPair.export({publicKey: true, includeContext: true});
  if(url.includes('#')) return method;
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [{...method, '@context': undefined}],
    assertionMethod: [method.id],
    authentication: [method.id],
  };
}

async function documentLoader(url) {
  if(url in contexts) return {contextUrl: null, documentUrl: url, document: contexts[url]};
  if(url in documents) return {contextUrl: null, documentUrl: url, document: documents[url]};
  if(url.startsWith('did:key:')) {
    return {contextUrl: null, documentUrl: url, document: JSON.parse(JSON.stringify(await didKey(url)))};
  }
  throw new Error(`Not loadable offline: ${url}`);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
const results = [];
for(const credential of input.credentials) {
  const checkStatusFn = credential.credentialStatus ? checkStatus : undefined;
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus: checkStatusFn});
  const entry = {verified: result.verified};
  if(!result.verified) {
    const error = result.error || (result.results || []).find(r => r.error)?.error;
    entry.error = error ? String(error.message || error) + (error.errors ? ': ' +
      error.errors.map(e => e.message).join('; ') : '') : 'not verified';
  }
  if(result.statusResult) {
    entry.statusVerified = result.statusResult.verified;
    entry.status = (result.statusResult.results || []).map(r => r.status);
  }
  results.push(entry);
}
process.stdout.write(JSON.stringify(results));
