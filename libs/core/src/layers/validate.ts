/**
 * @homelab/core/validate — The validate layer: schemas and external validators over dist/.
 */
export * from '../validate/index.ts';
