// Every notification, warning and error this extension shows goes through here: VS Code renders `[text](target)`
// in a message as a link (`command:` targets included), and messages carry transcript-derived text (project
// folders, model ids, session ids, paths). The whole message and a modal's detail are made plain text; the
// buttons are ours. test/unit/extension-messages.test.ts checks no other module calls VS Code's show*Message.
import * as vscode from 'vscode';
import { plainText } from './plainText';

export type Severity = 'info' | 'warning' | 'error';

type Rest = (string | vscode.MessageOptions)[];

function plainOptions(rest: Rest): Rest {
  return rest.map((r) => (typeof r === 'object' && r !== null && typeof r.detail === 'string' ? { ...r, detail: plainText(r.detail) } : r));
}

export function showMessage(severity: Severity, message: string, ...rest: Rest): Thenable<string | undefined> {
  const fn = severity === 'error' ? vscode.window.showErrorMessage : severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  return (fn as (m: string, ...r: Rest) => Thenable<string | undefined>)(plainText(message), ...plainOptions(rest));
}

export const showInfo = (message: string, ...rest: Rest): Thenable<string | undefined> => showMessage('info', message, ...rest);
export const showWarning = (message: string, ...rest: Rest): Thenable<string | undefined> => showMessage('warning', message, ...rest);
export const showError = (message: string, ...rest: Rest): Thenable<string | undefined> => showMessage('error', message, ...rest);
